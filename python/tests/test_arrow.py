"""Arrow in and out natively: the PyCapsule stream built and read in Rust, without pyarrow."""

from __future__ import annotations

import datetime as dt
import json
import struct
import subprocess
import sys
from decimal import Decimal
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tradewar as tw
from tradewar.exceptions import ColumnError, InvalidAmountError, InvalidCodeError, ValidationError

KIND_TYPES = {
    "str": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "date": pa.date32(),
    "bool": pa.bool_(),
}


def table(name: str, **columns: tuple[str, list[Any]]) -> tw.Table:
    """A Table of the given (kind, values) columns, built through its JSON form."""
    cols = [[c, {"kind": kind, "values": [_json(v) for v in values]}] for c, (kind, values) in columns.items()]
    return tw.Table.from_json(json.dumps({"name": name, "columns": cols}))


def _json(v: Any) -> Any:
    if isinstance(v, (Decimal, dt.date)):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    return v


def every_table(trade: tw.TradeMatrix, schedule: tw.Schedule, scenario: tw.Scenario) -> dict[str, tw.Table]:
    outcome = tw.AccountingModel().run(scenario)
    return {
        "trade": trade.to_table(),
        "balance": trade.balances("USA", "CHN"),
        "tariff path": tw.tariff_path(schedule, trade, a="USA", b="CHN", year=2017, dates=["2018-01-01", "2019-12-31"]),
        "coverage": tw.coverage_by_measure(schedule, trade, year=2017, date="2019-06-01"),
        "timeline": schedule.timeline.to_table(),
        "flows": outcome.flows(),
        "economies": outcome.economies(),
        "balances": outcome.balances(),
    }


def old_to_arrow(t: tw.Table) -> pa.Table:
    """The conversion before the native stream: Python lists, then pa.array."""
    data = t.to_dict()
    arrays = []
    for name, kind in t.kinds:
        values = data[name]
        if kind == "decimal":
            scale = max((-v.as_tuple().exponent for v in values if isinstance(v, Decimal)), default=2)
            typ = pa.decimal128(38, min(max(scale, 0), 18))
        else:
            typ = KIND_TYPES[kind]
        arrays.append(pa.array(values, type=typ))
    return pa.table(arrays, names=t.columns)


def without_nan(columns: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return {k: ["NaN" if isinstance(v, float) and v != v else v for v in vs] for k, vs in columns.items()}


# --- export ---------------------------------------------------------------------------------------------------


def test_every_table_exports_as_before(trade: tw.TradeMatrix, schedule: tw.Schedule, scenario: tw.Scenario) -> None:
    for name, t in every_table(trade, schedule, scenario).items():
        native, old = t.to_arrow(), old_to_arrow(t)
        assert native.schema.remove_metadata() == old.schema, name
        assert without_nan(native.to_pydict()) == without_nan(old.to_pydict()), name
        assert native.column_names == t.columns
        assert without_nan(native.to_pydict()) == without_nan(t.to_dict()), name
        assert native.schema.metadata == {b"tradewar.table": t.name.encode()}


def test_arrow_types_per_kind() -> None:
    t = table(
        "kinds",
        s=("str", ["a", "ü"]),
        i=("int", [1, -(2**62)]),
        f=("float", [0.5, float("nan")]),
        d=("decimal", [Decimal("1.5"), None]),
        m=("decimal", [Decimal("10"), Decimal("0.125")]),
        e=("decimal", [None, None]),
        day=("date", [dt.date(2018, 7, 6), dt.date(1969, 12, 31)]),
        b=("bool", [True, False]),
    )
    a = pa.table(t)
    assert a.schema.types == [
        pa.string(),
        pa.int64(),
        pa.float64(),
        pa.decimal128(38, 1),
        pa.decimal128(38, 3),
        pa.decimal128(38, 2),  # no value: scale 2, as before
        pa.date32(),
        pa.bool_(),
    ]
    assert a.column("d").to_pylist() == [Decimal("1.5"), None]
    assert a.column("m").to_pylist() == [Decimal("10.000"), Decimal("0.125")]
    assert a.column("day").to_pylist() == [dt.date(2018, 7, 6), dt.date(1969, 12, 31)]
    assert a.column("f").to_pylist()[1] != a.column("f").to_pylist()[1]  # NaN stays NaN, not null
    assert a.column("f").null_count == 0
    assert pa.schema(t) == a.schema  # __arrow_c_schema__
    assert tw.Table.from_arrow(a).to_json() == tw.Table.from_arrow(t).to_json()
    assert without_nan(tw.Table.from_arrow(a).to_dict()) == without_nan(t.to_dict())


def test_trade_matrix_stream_equals_the_table_stream(trade: tw.TradeMatrix) -> None:
    # TradeMatrix writes its batch straight from its columns; it must equal the generic Table export.
    assert pa.table(trade).equals(pa.table(trade.to_table()), check_metadata=True)
    assert trade.to_arrow().schema.field("value_usd").type == pa.decimal128(38, 2)
    empty = trade.filter(years=(1990, 1991))
    assert pa.table(empty).equals(pa.table(empty.to_table()), check_metadata=True)


def test_decimal_that_does_not_fit_decimal128_is_a_typed_error() -> None:
    t = table("fine", x=("decimal", [Decimal("0.1234567890123456789012345678")]))
    with pytest.raises(InvalidAmountError, match=r'column "x", row 0: 0\.1234567890123456789012345678 does not fit'):
        pa.table(t)
    # Trailing digits beyond 18 places that are zeros fit exactly.
    ok = table("fine", x=("decimal", [Decimal("1.0000000000000000000000")]))
    assert pa.table(ok).column("x").to_pylist() == [Decimal(1)]
    # 2**96 - 1 at 18 places needs 47 digits.
    big = table("big", x=("decimal", [Decimal("0.000000000000000001"), Decimal("79228162514264337593543950335")]))
    with pytest.raises(InvalidAmountError, match=r'column "x", row 1: 79228162514264337593543950335 does not fit'):
        pa.table(big)


def test_capsule_protocol_details(trade: tw.TradeMatrix) -> None:
    t = trade.to_table()
    capsule = t.__arrow_c_stream__()
    assert type(capsule).__name__ == "PyCapsule"
    assert "arrow_array_stream" in repr(capsule)
    # A requested schema is accepted and ignored.
    reader = pa.RecordBatchReader._import_from_c_capsule(t.__arrow_c_stream__(pa.schema([])))
    assert reader.read_all().num_rows == len(t)
    # A capsule is a stream of its own; once read it is released.
    assert tw.Table.from_arrow(capsule) == t
    with pytest.raises(ValidationError, match="already released"):
        tw.Table.from_arrow(capsule)
    with pytest.raises(ValidationError, match="arrow_array_stream"):
        tw.Table.from_arrow(t.__arrow_c_schema__())
    # Capsules dropped unread free their stream.
    for _ in range(3):
        t.__arrow_c_stream__()


def test_polars_reads_the_capsule(trade: tw.TradeMatrix) -> None:
    t = trade.balances("USA", "CHN")
    frame = pl.DataFrame(t)
    assert frame.columns == t.columns
    assert frame.schema["year"] == pl.Int64
    assert frame.schema["balance"] == pl.Decimal(38, 2)
    assert frame.to_dict(as_series=False) == t.to_dict()
    assert t.to_polars().equals(frame)
    assert pl.DataFrame(trade).height == len(trade)


def cells(frame: pd.DataFrame) -> list[list[str]]:
    return [[repr(v) for v in frame[c]] for c in frame.columns]


def test_to_pandas_gives_the_same_frame_as_the_list_path(
    trade: tw.TradeMatrix, schedule: tw.Schedule, scenario: tw.Scenario
) -> None:
    # to_pandas takes the Arrow stream only when every value comes back the very same (same
    # Decimal exponent, datetime.date, same dtypes); otherwise Python lists, as before.
    from tradewar import _tables

    mixed = table("mixed", x=("decimal", [Decimal("5"), Decimal("0.25")]), n=("decimal", [None, None]))
    negative_zero = table("zero", x=("decimal", [Decimal("-0.00"), Decimal("1.00")]))
    tables = {**every_table(trade, schedule, scenario), "mixed": mixed, "zero": negative_zero}
    for name, t in tables.items():
        fast, lists = t.to_pandas(), _tables.to_pandas(t, False)
        assert list(fast.columns) == t.columns, name
        assert fast.dtypes.equals(lists.dtypes), name
        assert cells(fast) == cells(lists), name
    assert [repr(v) for v in mixed.to_pandas()["x"]] == ["Decimal('5')", "Decimal('0.25')"]
    fast, lists = trade.to_pandas(), _tables.to_pandas(trade.to_table(), False)
    assert fast.dtypes.equals(lists.dtypes)
    assert cells(fast) == cells(lists)
    assert isinstance(fast["value_usd"].iloc[0], Decimal)


def test_to_pandas_without_pyarrow() -> None:
    code = """
import sys
sys.modules["pyarrow"] = None  # import pyarrow now fails
import tradewar
t = tradewar.datasets.us_china_trade()
df = t.to_pandas()
assert len(df) == len(t) and str(df["value_usd"].iloc[0]).endswith(".00")
assert len(t.balances("USA", "CHN").to_pandas()) == 7
print("ok")
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stdout + r.stderr


def test_to_arrow_without_pyarrow_importing_in_tradewar() -> None:
    code = """
import sys
import polars, tradewar
t = tradewar.datasets.us_china_trade()
frame = polars.DataFrame(t.balances("USA", "CHN"))
assert frame.height == 7, frame
m = tradewar.TradeMatrix.from_arrow(polars.DataFrame(t))
assert m == t
assert tradewar.Table.from_arrow(frame).columns == frame.columns
assert "pyarrow" not in sys.modules, sorted(k for k in sys.modules if k.startswith("pyarrow"))
print("ok")
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stdout + r.stderr


# --- import ---------------------------------------------------------------------------------------------------


def test_trade_from_polars_and_pyarrow_equals_from_pandas(trade: tw.TradeMatrix) -> None:
    from_pandas = tw.TradeMatrix.from_pandas(trade.to_pandas())
    assert from_pandas == trade
    assert tw.TradeMatrix.from_arrow(pl.DataFrame(trade)) == from_pandas
    assert tw.TradeMatrix.from_arrow(pa.table(trade)) == from_pandas
    assert tw.TradeMatrix.from_arrow(pa.table(trade).to_reader()) == from_pandas
    assert tw.TradeMatrix.from_arrow(trade.to_table()) == from_pandas
    assert tw.TradeMatrix.from_arrow(trade) == from_pandas


def small() -> dict[str, list[Any]]:
    return {
        "exporter": ["CHN", "USA", "CHN"],
        "importer": ["USA", "CHN", "USA"],
        "product": ["9403.10", "1201.90", "847130"],
        "year": [2017, 2017, 2018],
        "value_usd": [Decimal("100.25"), Decimal("5"), Decimal("0.10")],
        "basis": ["customs", "fob", "cif"],
    }


def test_accepted_arrow_types() -> None:
    expected = tw.TradeMatrix.from_dict(small())
    base = pa.table(small())
    variants = {
        "large_string": base.cast(
            pa.schema(
                [(f.name, pa.large_string()) if f.type == pa.string() else (f.name, f.type) for f in base.schema]
            )
        ),
        "string_view": base.set_column(0, "exporter", base.column("exporter").cast(pa.string_view())),
        "dictionary": base.set_column(1, "importer", base.column("importer").dictionary_encode()),
        "uint16 year": base.set_column(3, "year", base.column("year").cast(pa.uint16())),
        "int32 year": base.set_column(3, "year", base.column("year").cast(pa.int32())),
        "decimal256": base.set_column(4, "value_usd", base.column("value_usd").cast(pa.decimal256(40, 2))),
        "decimal scale 5": base.set_column(4, "value_usd", base.column("value_usd").cast(pa.decimal128(20, 5))),
        "string value": base.set_column(4, "value_usd", pa.array(["100.25", "5", "0.1"])),
        "extra column": base.append_column("note", pa.array(["a", "b", "c"])),
    }
    for name, data in variants.items():
        assert tw.TradeMatrix.from_arrow(data) == expected, name
    ints = base.set_column(4, "value_usd", pa.array([100, 5, 0], pa.int32()))
    assert tw.TradeMatrix.from_arrow(ints).total("CHN", "USA", 2017) == tw.Money("100")
    codes = pa.table({**small(), "product": pa.array([940310, 120190, 847130], pa.int32())})
    assert tw.TradeMatrix.from_arrow(codes) == tw.TradeMatrix.from_dict({**small(), "product": ["940310", "120190", "847130"]})
    no_basis = base.drop_columns(["basis"])
    assert tw.TradeMatrix.from_arrow(no_basis) == tw.TradeMatrix.from_dict({k: v for k, v in small().items() if k != "basis"})
    categorical = pl.DataFrame(small()).with_columns(pl.col("exporter").cast(pl.Categorical))
    assert tw.TradeMatrix.from_arrow(categorical) == expected


def test_float_values_are_refused_as_before() -> None:
    data = pa.table({**small(), "value_usd": [100.25, 5.0, 0.1]})
    with pytest.raises(ValidationError, match="value_usd: floats are not exact") as e:
        tw.TradeMatrix.from_arrow(data)
    assert "double" in str(e.value) or "Float64" in str(e.value)
    # The same class the list path raises.
    with pytest.raises(ValidationError, match="floats are not exact"):
        tw.TradeMatrix.from_dict({**small(), "value_usd": [100.25, 5.0, 0.1]})
    with pytest.raises(ValidationError, match="floats are not exact"):
        tw.TradeMatrix.from_arrow(pl.DataFrame({**small(), "value_usd": [100.25, 5.0, 0.1]}))


def test_nulls_name_the_column_and_row() -> None:
    data = pa.table({**small(), "importer": ["USA", None, "USA"]})
    with pytest.raises(ColumnError, match=r'column "importer", row 1 of the Arrow stream of pyarrow.lib.Table') as e:
        tw.TradeMatrix.from_arrow(data)
    assert e.value.kind == "NullValue"
    # Rows count across batches.
    first = pa.table(small())
    second = pa.table({**small(), "value_usd": [Decimal(1), None, None]}, schema=first.schema)
    with pytest.raises(ColumnError, match=r'column "value_usd", row 4 '):
        tw.TradeMatrix.from_arrow(pa.Table.from_batches(first.to_batches() + second.to_batches()))


def test_missing_and_mistyped_columns() -> None:
    with pytest.raises(ColumnError, match=r"missing column\(s\) year, value_usd \(have: exporter") as e:
        tw.TradeMatrix.from_arrow(pa.table({k: v for k, v in small().items() if k not in ("year", "value_usd")}))
    assert e.value.kind == "MissingColumn"
    with pytest.raises(ColumnError, match=r'column "year" .* is Utf8; expected integers') as e:
        tw.TradeMatrix.from_arrow(pa.table({**small(), "year": ["2017", "2017", "2018"]}))
    assert e.value.kind == "ColumnType"
    with pytest.raises(ColumnError, match=r'column "exporter" .* expected strings'):
        tw.TradeMatrix.from_arrow(pa.table({**small(), "exporter": [1, 2, 3]}))
    with pytest.raises(ColumnError, match=r'column "value_usd" .* is Boolean'):
        tw.TradeMatrix.from_arrow(pa.table({**small(), "value_usd": [True, False, True]}))


def test_bad_values_name_value_column_and_row() -> None:
    with pytest.raises(InvalidCodeError, match=r'column "exporter", row 2 .*XXX') as e:
        tw.TradeMatrix.from_arrow(pa.table({**small(), "exporter": ["CHN", "USA", "XXX"]}))
    assert e.value.kind == "UnknownEconomy"
    with pytest.raises(ValidationError, match=r'column "year", row 0 .*: year: 20170 is not a year'):
        tw.TradeMatrix.from_arrow(pa.table({**small(), "year": [20170, 2017, 2018]}))
    with pytest.raises(ValidationError, match=r'column "value_usd", row 1 .*"12,5" is not a decimal number'):
        tw.TradeMatrix.from_arrow(pa.table({**small(), "value_usd": ["1", "12,5", "3"]}))
    with pytest.raises(ValidationError, match=r"row 0 of the Arrow stream .*exporter and importer are both CHN"):
        tw.TradeMatrix.from_arrow(pa.table({**small(), "importer": ["CHN", "CHN", "USA"]}))
    with pytest.raises(ValidationError, match=r"expected an Arrow stream .*, got dict"):
        tw.TradeMatrix.from_arrow(small())


def test_generic_table_import() -> None:
    frame = pl.DataFrame(
        {
            "s": ["a", "b"],
            "i": pl.Series([1, 2], dtype=pl.UInt8),
            "f": [0.5, 1.5],
            "d": pl.Series([Decimal("1.50"), None], dtype=pl.Decimal(10, 2)),
            "day": [dt.date(2020, 1, 1), dt.date(2020, 2, 29)],
            "b": [True, False],
        }
    )
    t = tw.Table.from_arrow(frame, name="mine")
    assert t.name == "mine"
    assert t.kinds == [("s", "str"), ("i", "int"), ("f", "float"), ("d", "decimal"), ("day", "date"), ("b", "bool")]
    assert t.to_dict() == frame.to_dict(as_series=False)
    assert tw.Table.from_arrow(pa.table({"x": [1]})).name == "arrow"
    with pytest.raises(ColumnError, match=r'column "f", row 1 .*null'):
        tw.Table.from_arrow(pl.DataFrame({"f": [1.0, None]}))
    with pytest.raises(ColumnError, match=r'column "t" .* is Timestamp'):
        tw.Table.from_arrow(pa.table({"t": pa.array([0], pa.timestamp("s"))}))
    with pytest.raises(ValidationError, match="does not fit a 64-bit integer"):
        tw.Table.from_arrow(pa.table({"u": pa.array([2**64 - 1], pa.uint64())}))


def test_invalid_foreign_buffers_are_a_typed_error() -> None:
    # arrow-rs imports buffers unchecked; tradewar validates them (here: bytes that are not UTF-8).
    bad = pa.Array.from_buffers(pa.string(), 1, [None, pa.py_buffer(struct.pack("<2i", 0, 2)), pa.py_buffer(b"\xff\xfe")])
    with pytest.raises(ValidationError, match=r'column "s" of the Arrow stream of pyarrow.lib.Table: .*UTF8') as e:
        tw.Table.from_arrow(pa.table({"s": bad}))
    assert e.value.kind == "Arrow"


# --- property ---------------------------------------------------------------------------------------------------

decimals = st.decimals(
    min_value=Decimal("-1e15"), max_value=Decimal("1e15"), places=4, allow_nan=False, allow_infinity=False
)
texts = st.text(max_size=8)
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_random_columns_round_trip_through_the_capsule(data: st.DataObject) -> None:
    n = data.draw(st.integers(min_value=0, max_value=30))
    d = data.draw(st.lists(st.none() | decimals, min_size=n, max_size=n))
    s = data.draw(st.lists(texts, min_size=n, max_size=n))
    day = data.draw(st.lists(dates, min_size=n, max_size=n))
    t = table("random", d=("decimal", d), s=("str", s), day=("date", day))
    # Rust -> capsule -> Rust
    assert tw.Table.from_arrow(t) == t
    # Rust -> capsule -> pyarrow and polars
    a = pa.table(t)
    assert a.column("d").to_pylist() == d
    assert a.column("s").to_pylist() == s
    assert a.column("day").to_pylist() == day
    assert pl.DataFrame(t).to_dict(as_series=False) == {"d": d, "s": s, "day": day}
    # pyarrow -> capsule -> Rust
    assert tw.Table.from_arrow(a) == t


def test_pandas_frames_with_arrow_stream_are_read_too(trade: tw.TradeMatrix) -> None:
    df = trade.to_pandas()
    if not hasattr(df, "__arrow_c_stream__"):
        pytest.skip("this pandas has no __arrow_c_stream__")
    assert tw.TradeMatrix.from_arrow(df) == trade
    assert isinstance(df, pd.DataFrame)
