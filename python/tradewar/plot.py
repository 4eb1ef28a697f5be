"""Plots with matplotlib; every function returns the Axes it drew on."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from tradewar import _core


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    return ax


def tariffs_over_time(
    schedule: _core.Schedule,
    trade: _core.TradeMatrix,
    *,
    a: str | _core.Economy = "USA",
    b: str | _core.Economy = "CHN",
    year: int = 2017,
    dates: Sequence[datetime.date | str] | None = None,
    ax: Any = None,
) -> Any:
    """Trade-weighted average tariffs each way over time."""
    if dates is None:
        dates = sorted(set(schedule.timeline.dates()))
    table = _core.tariff_path(schedule, trade, a=a, b=b, year=year, dates=list(dates)).to_dict()
    ax = _axes(ax)
    for imp, exp in {(i, e) for i, e in zip(table["importer"], table["exporter"])}:
        xs = [d for d, i, e in zip(table["date"], table["importer"], table["exporter"]) if (i, e) == (imp, exp)]
        ys = [float(v) for v, i, e in zip(table["trade_weighted"], table["importer"], table["exporter"]) if (i, e) == (imp, exp)]
        ax.step(xs, ys, where="post", label=f"{imp} on {exp}")
    ax.set_ylabel("trade-weighted tariff (%)")
    ax.set_title(f"Average tariffs each way ({year} weights)")
    ax.legend()
    return ax


def coverage_by_list(
    schedule: _core.Schedule,
    trade: _core.TradeMatrix,
    *,
    year: int = 2017,
    date: datetime.date | str = "2019-12-31",
    method: str = "line_share",
    ax: Any = None,
) -> Any:
    """Trade covered by each tariff in force on `date`, in billions of dollars."""
    t = _core.coverage_by_measure(schedule, trade, year=year, date=date, method=method).to_dict()
    ax = _axes(ax)
    ax.barh(t["id"], [float(v) / 1e9 for v in t["covered"]])
    ax.set_xlabel(f"{year} trade covered (USD billion)")
    ax.set_title(f"Coverage by list on {date}")
    return ax


def balance_and_target(
    trade: _core.TradeMatrix,
    target: _core.Target,
    *,
    ax: Any = None,
) -> Any:
    """The bilateral balance by year, with the line the target asks for."""
    t = trade.balances(target.reporter, target.partner).to_dict()
    ax = _axes(ax)
    ax.plot(t["year"], [float(v) / 1e9 for v in t["balance"]], marker="o", label="balance")
    base = [b for y, b in zip(t["year"], t["balance"]) if y == target.base_year]
    if base:
        goal = float(base[0] + target.reduction.amount) / 1e9
        ax.axhline(goal, linestyle="--", color="grey", label=f"{target.name} by {target.by_year}")
    ax.set_ylabel("USD billion")
    ax.set_title(f"{target.reporter} balance with {target.partner}")
    ax.legend()
    return ax


def compare_models(outcomes: Sequence[_core.Outcome], *, economy: str = "USA", column: str = "welfare_gain", ax: Any = None) -> Any:
    """One bar per outcome: `column` of the economy table for `economy`.

    Amounts in USD are drawn in billions; columns in percent (names ending in `_pct`) as
    they are. Each outcome gets its own bar: outcomes of one model are told apart by their
    scenario (and by their position when that is the same too), never stacked on one label.
    A model that does not measure `column` (welfare in accounting or GE) draws no bar,
    marked "n/a". An economy in none of the outcomes is refused (KeyError).
    """
    ax = _axes(ax)
    labels = [o.model for o in outcomes]
    if len(set(labels)) < len(labels):
        labels = [f"{o.model}\n{o.scenario}" for o in outcomes]
    if len(set(labels)) < len(labels):
        labels = [f"{label} #{k + 1}" for k, label in enumerate(labels)]
    percent = column.endswith("_pct")
    scale = 1.0 if percent else 1e9
    values = []
    seen: set[str] = set()
    for o in outcomes:
        t = o.economies().to_dict()
        if column not in t:
            raise KeyError(f"column {column!r} is not in the economy table; choose one of {sorted(t)}")
        seen.update(str(e) for e in t["economy"])
        rows = [v for e, v in zip(t["economy"], t[column]) if e == str(economy)]
        values.append(float(rows[0]) / scale if rows and rows[0] is not None else float("nan"))
    if outcomes and str(economy) not in seen:
        raise KeyError(f"economy {economy!r} is in none of the outcomes; they have {sorted(seen)}")
    positions = list(range(len(labels)))
    # NaN draws no bar (a bar of height 0 would read as a measured zero).
    ax.bar(positions, values)
    ax.set_xticks(positions, labels)
    for x, v in zip(positions, values):
        if v != v:
            ax.annotate("n/a", (x, 0.0), ha="center", va="bottom")
    ax.set_ylabel(f"{column} of {economy} ({'%' if percent else 'USD billion'})")
    ax.set_title("Model comparison")
    return ax
