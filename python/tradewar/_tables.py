"""Tables out of Rust into pandas, Arrow, polars and HTML, and columns back in.

Rust hands over typed columns (``Table``) and exports them as Arrow itself
(``__arrow_c_stream__``); pyarrow and polars read that stream. The libraries are
imported only when a conversion is asked for, so none of them is a hard dependency.
"""

from __future__ import annotations

import html
from decimal import Decimal
from typing import Any

from tradewar import _core


def to_arrow(table: Any) -> Any:
    """A pyarrow Table read from the object's native ``__arrow_c_stream__`` (built in Rust)."""
    import pyarrow as pa

    return pa.table(table)


def to_pandas(source: Any, exact: bool = False) -> Any:
    """A pandas DataFrame; money and rates as ``decimal.Decimal`` (object columns), dates as ``datetime.date``.

    ``source`` is a Table or a TradeMatrix. When ``exact`` (Rust checked that the Arrow form holds the very
    same values: one scale per decimal column) and pyarrow is installed, pyarrow converts the native Arrow
    stream, which is faster; otherwise the columns go through Python lists.
    """
    import pandas as pd

    if exact:
        try:
            import pyarrow as pa
        except ImportError:
            pass
        else:
            return pa.table(source).to_pandas()
    table = source if isinstance(source, _core.Table) else source.to_table()
    return pd.DataFrame(table.to_dict(), columns=table.columns)


def to_polars(table: Any) -> Any:
    """A polars DataFrame read from the object's ``__arrow_c_stream__`` (pyarrow is not needed)."""
    import polars as pl

    return pl.DataFrame(table)


_TRADE = ("exporter", "importer", "product", "year", "value_usd")


def _column_error(message: str, kind: str) -> Exception:
    from tradewar.exceptions import ColumnError

    err = ColumnError(message)
    err.kind = kind
    return err


def _names(frame: Any) -> list[str]:
    """The frame's column names; a name used twice is refused (pandas would hand back a frame, not a column)."""
    columns = getattr(frame, "columns", None)
    if columns is None or not hasattr(frame, "__getitem__"):
        from tradewar.exceptions import ArgumentTypeError

        err = ArgumentTypeError(f"frame: expected a pandas DataFrame, got {type(frame).__name__}")
        err.kind = "ArgumentType"
        raise err
    names = [str(c) for c in columns]
    seen: dict[str, int] = {}
    for k, name in enumerate(names):
        if name in seen:
            raise _column_error(
                f"column {name[:200]!r} appears twice in the frame (columns {seen[name]} and {k}, from 0)",
                "DuplicateColumn",
            )
        seen[name] = k
    return names


def frame_columns(frame: Any, wanted: list[str]) -> dict[str, list[Any]]:
    """The named columns of a pandas DataFrame as lists (missing or repeated names refused)."""
    names = _names(frame)
    missing = [c for c in wanted if c not in names]
    if missing:
        listed = ", ".join(repr(c[:200]) for c in missing)[:600]
        raise _column_error(f"missing column(s) {listed} (have: {', '.join(names)[:200]})", "MissingColumn")
    return {c: list(frame[c].tolist()) for c in wanted}


def _year(y: Any) -> Any:
    # A year column with missing values comes out of pandas as floats: 2017.0 is the year 2017.
    if isinstance(y, float) and y.is_integer():
        return int(y)
    return y


def columns_from_pandas(frame: Any) -> dict[str, list[Any]]:
    """Columns of a pandas DataFrame as lists."""
    names = _names(frame)
    wanted = [*_TRADE, "basis"] if "basis" in names else list(_TRADE)
    out = frame_columns(frame, wanted)
    out["product"] = [p if isinstance(p, str) else str(p) for p in out["product"]]
    out["year"] = [_year(y) for y in out["year"]]
    return out


def _cell(v: Any) -> str:
    if isinstance(v, Decimal):
        return f"{v:,}"
    if isinstance(v, float):
        return f"{v:,.4g}"
    return html.escape(str(v))


def table_html(table: _core.Table, limit: int = 20) -> str:
    data = table.to_dict()
    n = len(table)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in table.columns)
    rows = []
    for i in range(min(n, limit)):
        rows.append("<tr>" + "".join(f"<td>{_cell(data[c][i])}</td>" for c in table.columns) + "</tr>")
    more = f"<p>{n - limit} more rows</p>" if n > limit else ""
    return (
        f"<div><b>{html.escape(table.name)}</b> ({n} rows)"
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}</div>"
    )


def timeline_html(timeline: _core.Timeline) -> str:
    return f"<div><b>Timeline: {html.escape(timeline.name)}</b>{table_html(timeline.to_table(), limit=60)}</div>"


def scenario_html(s: _core.Scenario) -> str:
    start, end = s.dates
    target = s.target
    rows = [
        ("name", s.name),
        ("compares", f"{start} → {end}"),
        ("base year", str(s.base_year)),
        ("trade flows", str(len(s.trade))),
        ("timeline", f"{s.schedule.timeline.name} ({len(s.schedule.timeline)} events)"),
        ("proposals", ", ".join(f"{p.action} {p.measure_id or ''} on {p.date}".strip() for p in s.proposals) or "none"),
        ("left out", ", ".join(s.ignored) or "none"),
        ("target", f"{target.name}: {target.reduction} by {target.by_year}" if target else "none"),
        ("commitments", s.commitment_mode),
    ]
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
    return f"<div><b>Scenario</b><table>{body}</table></div>"


def outcome_html(o: _core.Outcome) -> str:
    t = o.target
    score = ""
    if t is not None:
        score = f"<p>Target <i>{html.escape(str(t['target']))}</i>: closes {t['closed']} of {t['sought']} ({t['share_pct']:.1f}%)</p>"
    return (
        f"<div><b>{html.escape(o.model)}</b> on <i>{html.escape(o.scenario)}</i>"
        f"{table_html(o.economies())}{table_html(o.balances())}{score}</div>"
    )


def ppml_html(fit: _core.PpmlResult) -> str:
    status = f"N = {fit.nobs} of {fit.rows} rows · {fit.iterations} iterations · {fit.variance} SEs ({fit.small_sample[0]})"
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in fit.notes)
    return (
        f"<div><b>PPML of {html.escape(fit.outcome)}</b><p>{html.escape(status)}</p>"
        f"{table_html(fit.coefficients)}{f'<ul>{notes}</ul>' if notes else ''}</div>"
    )
