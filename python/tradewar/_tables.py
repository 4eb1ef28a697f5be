"""Tables out of Rust into pandas, Arrow, polars and HTML, and columns back in.

Rust hands over typed columns (``Table``); the libraries are imported only
when a conversion is asked for, so none of them is a hard dependency.
"""

from __future__ import annotations

import html
from decimal import Decimal
from typing import Any

from tradewar import _core


def _arrow_type(kind: str, values: list[Any]) -> Any:
    import pyarrow as pa

    if kind == "decimal":
        scale = max((-v.as_tuple().exponent for v in values if isinstance(v, Decimal)), default=2)
        scale = max(scale, 0)
        return pa.decimal128(38, min(scale, 18))
    return {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "date": pa.date32(), "bool": pa.bool_()}[kind]


def to_arrow(table: _core.Table) -> Any:
    """A pyarrow Table; money and rates as decimal128, dates as date32."""
    import pyarrow as pa

    data = table.to_dict()
    arrays = []
    for name, kind in table.kinds:
        values = data[name]
        arrays.append(pa.array(values, type=_arrow_type(kind, values)))
    return pa.table(arrays, names=table.columns)


def to_pandas(table: _core.Table) -> Any:
    """A pandas DataFrame; money and rates as ``decimal.Decimal`` (object columns)."""
    import pandas as pd

    frame = pd.DataFrame(table.to_dict(), columns=table.columns)
    return frame


def to_polars(table: _core.Table) -> Any:
    import polars as pl

    return pl.from_arrow(to_arrow(table))


def arrow_c_stream(table: _core.Table, requested_schema: Any = None) -> Any:
    return to_arrow(table).__arrow_c_stream__(requested_schema)


_TRADE = ("exporter", "importer", "product", "year", "value_usd")


def _check(names: list[str]) -> None:
    missing = [c for c in _TRADE if c not in names]
    if missing:
        raise _core_validation(f"missing column(s) {', '.join(missing)} (have: {', '.join(map(str, names))})")


def _core_validation(message: str) -> Exception:
    from tradewar.exceptions import ColumnError

    err = ColumnError(message)
    err.kind = "MissingColumn"
    return err


def _values(values: list[Any]) -> list[Any]:
    # Floats are refused by the core (not exact); integral floats from pandas int columns with NaN are not trade.
    return [str(v) if isinstance(v, Decimal) else v for v in values]


def columns_from_pandas(frame: Any) -> dict[str, list[Any]]:
    """Columns of a pandas DataFrame as lists."""
    names = [str(c) for c in getattr(frame, "columns", [])]
    _check(names)
    out: dict[str, list[Any]] = {c: frame[c].tolist() for c in _TRADE}
    out["product"] = [str(p) for p in out["product"]]
    out["year"] = [int(y) if not isinstance(y, bool) and float(y).is_integer() else y for y in out["year"]]
    if "basis" in names:
        out["basis"] = frame["basis"].tolist()
    return out


def columns_from_arrow(data: Any) -> dict[str, list[Any]]:
    """Columns of anything with ``__arrow_c_stream__`` (or a pyarrow Table) as lists."""
    import pyarrow as pa

    if hasattr(data, "to_arrow") and not isinstance(data, pa.Table):
        data = data.to_arrow()
    table = pa.table(data)
    names = list(table.column_names)
    _check(names)
    out = {c: table.column(c).to_pylist() for c in _TRADE}
    out["product"] = [str(p) for p in out["product"]]
    if "basis" in names:
        out["basis"] = table.column("basis").to_pylist()
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
        ("proposals", ", ".join(p.id for p in s.proposals) or "none"),
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
