"""The exception tree. Every Rust error kind maps to exactly one class here.

    TradewarError
    ├── ValidationError (also ValueError)
    │   ├── InvalidCodeError          economy, HS code, currency, measure id, keyword
    │   ├── InvalidAmountError        money, rates
    │   ├── InvalidDateError          dates, inverted or overlapping windows
    │   ├── TimelineError             duplicate or unknown measures, invalid events
    │   ├── ColumnError               columns of different lengths, missing, mistyped or with nulls
    │   ├── CurrencyMismatchError     money of two currencies combined
    │   └── ModelInputError           a model's inputs (elasticities, scenario dates, ...)
    ├── MoneyOverflowError (also ArithmeticError)
    ├── DataError
    │   ├── DataReadError (also OSError)      a file cannot be read
    │   ├── CsvFormatError (also ValueError)  malformed CSV, missing column
    │   ├── DataRowError (also ValueError)    a bad value on a line
    │   └── DataConsistencyError (also ValueError)
    ├── ModelError
    │   └── ConvergenceError (also ArithmeticError)

Each raised exception has a ``kind`` attribute naming the Rust error variant.
"""

from __future__ import annotations

__all__ = [
    "TradewarError",
    "ValidationError",
    "InvalidCodeError",
    "InvalidAmountError",
    "InvalidDateError",
    "TimelineError",
    "ColumnError",
    "CurrencyMismatchError",
    "ModelInputError",
    "MoneyOverflowError",
    "DataError",
    "DataReadError",
    "CsvFormatError",
    "DataRowError",
    "DataConsistencyError",
    "JsonFormatError",
    "SchemaVersionError",
    "ModelError",
    "ConvergenceError",
]


class TradewarError(Exception):
    """Root of every error raised by tradewar."""

    kind: str = "Other"


class ValidationError(TradewarError, ValueError):
    """An input was rejected."""


class InvalidCodeError(ValidationError):
    """An unknown or malformed code (economy, HS code, currency, measure id, keyword)."""


class InvalidAmountError(ValidationError):
    """A malformed amount of money or rate."""


class InvalidDateError(ValidationError):
    """A malformed date, or an inverted or overlapping window."""


class TimelineError(ValidationError):
    """A timeline that does not hold together."""


class ColumnError(ValidationError):
    """Columns of different lengths; a column missing, of the wrong type or with nulls (kinds ColumnLength,
    MissingColumn, ColumnType, NullValue)."""


class CurrencyMismatchError(ValidationError):
    """Money in two currencies combined without an exchange rate."""


class ModelInputError(ValidationError):
    """Inputs a model cannot use."""


class MoneyOverflowError(TradewarError, ArithmeticError):
    """An amount too large to represent exactly."""


class DataError(TradewarError):
    """A dataset or file could not be loaded."""


class DataReadError(DataError, OSError):
    """A file could not be read."""


class CsvFormatError(DataError, ValueError):
    """Malformed CSV or a missing column."""


class DataRowError(DataError, ValueError):
    """A bad value on a line of a file."""


class DataConsistencyError(DataError, ValueError):
    """Rows that contradict each other."""


class JsonFormatError(DataError, ValueError):
    """A JSON document (a scenario file) that is malformed or not what was expected."""


class SchemaVersionError(DataError, ValueError):
    """A file whose schema_version is missing, malformed or newer than this version reads."""


class ModelError(TradewarError):
    """A model failed."""


class ConvergenceError(ModelError, ArithmeticError):
    """A solver did not converge."""
