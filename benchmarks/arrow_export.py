#!/usr/bin/env python3
"""Arrow (and pandas) export and import of a 1-million-row trade table: the old path through Python lists
against the native Arrow C stream (PyCapsule) built and read in Rust, in one run.

    python benchmarks/arrow_export.py                  # 1,000,000 rows, median of 5
    python benchmarks/arrow_export.py --rows 200000 --repeat 3

Run it with an interpreter that has tradewar (a release build: `maturin develop --release`), pyarrow and
polars and pandas installed. The table is the embedded US-China trade (60,787 flows) repeated to the requested number of
rows. Before timing, the script checks that both paths give the same pyarrow table (schema and values) and the
same TradeMatrix.

Timed, each as a wall-clock median:

1. TradeMatrix -> pyarrow.Table: old `to_table()` + lists + `pa.array` per column; new `pyarrow.table(matrix)`.
2. Table -> pyarrow.Table (the Table already built): old lists + `pa.array`; new `pyarrow.table(table)`.
3. Table -> polars.DataFrame: old `pl.from_arrow` of the old pyarrow table; new `pl.DataFrame(table)`.
4. pyarrow.Table -> TradeMatrix: old `to_pylist()` per column + `TradeMatrix.from_dict`; new
   `TradeMatrix.from_arrow`.
5. Table -> pandas.DataFrame: old `pd.DataFrame(table.to_dict())`; new `table.to_pandas()`, which converts
   the native stream with pyarrow when the values come back the very same (here: every value_usd has 2 places).
6. TradeMatrix -> pandas.DataFrame: old `to_table()` + the same lists; new `matrix.to_pandas()`.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa

import tradewar as tw

TYPES = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "date": pa.date32(), "bool": pa.bool_()}


def old_to_arrow(table: tw.Table) -> pa.Table:
    """The export before the native stream (tradewar/_tables.py until this change)."""
    data = table.to_dict()
    arrays = []
    for name, kind in table.kinds:
        values = data[name]
        if kind == "decimal":
            scale = max((-v.as_tuple().exponent for v in values if isinstance(v, Decimal)), default=2)
            typ = pa.decimal128(38, min(max(scale, 0), 18))
        else:
            typ = TYPES[kind]
        arrays.append(pa.array(values, type=typ))
    return pa.table(arrays, names=table.columns)


def old_to_pandas(table: tw.Table) -> pd.DataFrame:
    """pandas before the native stream: the columns as Python lists."""
    return pd.DataFrame(table.to_dict(), columns=table.columns)


def old_from_arrow(data: pa.Table) -> tw.TradeMatrix:
    """The import before the native stream: every column to a Python list, then the list constructor."""
    cols = ("exporter", "importer", "product", "year", "value_usd", "basis")
    out: dict[str, Any] = {c: data.column(c).to_pylist() for c in cols}
    out["product"] = [str(p) for p in out["product"]]
    return tw.TradeMatrix.from_dict(out)


def median_time(f: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    print(f"machine: {os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}")
    print(f"pyarrow {pa.__version__}, polars {pl.__version__}, tradewar {tw.__version__}")
    print(f"load average at start: {' / '.join(f'{x:.2f}' for x in os.getloadavg())}")

    base = pa.table(tw.datasets.us_china_trade())
    copies = -(-args.rows // base.num_rows)
    arrow_input = pa.concat_tables([base] * copies).slice(0, args.rows).combine_chunks()
    matrix = tw.TradeMatrix.from_arrow(arrow_input)
    table = matrix.to_table()
    print(f"rows: {len(matrix):,}; median of {args.repeat}")

    # Agreement first: the same pyarrow table (values and types) and the same matrix either way.
    old, new = old_to_arrow(table), pa.table(matrix)
    assert new.schema.remove_metadata() == old.schema, (new.schema, old.schema)
    assert new.equals(old), "native and list exports differ"
    assert pa.table(table).equals(new, check_metadata=True)
    assert pl.DataFrame(table).equals(pl.from_arrow(old))
    assert tw.TradeMatrix.from_arrow(arrow_input) == old_from_arrow(arrow_input) == matrix
    old_frame, new_frame = old_to_pandas(table), matrix.to_pandas()
    assert new_frame.equals(old_frame) and new_frame.dtypes.equals(old_frame.dtypes)
    assert [str(v) for v in new_frame["value_usd"]] == [str(v) for v in old_frame["value_usd"]]
    print("agreement: identical pyarrow tables, polars frames, pandas frames and trade matrices\n")

    cases: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
        ("TradeMatrix -> pyarrow", lambda: old_to_arrow(matrix.to_table()), lambda: pa.table(matrix)),
        ("Table -> pyarrow", lambda: old_to_arrow(table), lambda: pa.table(table)),
        ("Table -> polars", lambda: pl.from_arrow(old_to_arrow(table)), lambda: pl.DataFrame(table)),
        ("pyarrow -> TradeMatrix", lambda: old_from_arrow(arrow_input), lambda: tw.TradeMatrix.from_arrow(arrow_input)),
        ("Table -> pandas", lambda: old_to_pandas(table), table.to_pandas),
        ("TradeMatrix -> pandas", lambda: old_to_pandas(matrix.to_table()), matrix.to_pandas),
    ]
    print(f"{'conversion':<24}{'via Python lists (s)':>22}{'native stream (s)':>20}{'ratio':>9}")
    for name, old_path, native in cases:
        t_old = median_time(old_path, args.repeat)
        t_new = median_time(native, args.repeat)
        print(f"{name:<24}{t_old:>22.3f}{t_new:>20.3f}{t_old / t_new:>8.1f}x")
    print(f"\nload average at end: {' / '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
