"""The exception tree. Every Rust error kind maps to exactly one class here.

    TradewarError
    ├── ValidationError (also ValueError)
    │   ├── ArgumentTypeError (also TypeError)  an argument of the wrong Python type
    │   ├── InvalidCodeError          economy, HS code, currency, measure id, keyword
    │   ├── InvalidAmountError        money, rates
    │   ├── InvalidDateError          dates, inverted or overlapping windows
    │   ├── TimelineError             duplicate or unknown measures, invalid events
    │   ├── ColumnError               columns of different lengths, missing, mistyped, named twice or with nulls
    │   ├── CurrencyMismatchError     money of two currencies combined
    │   ├── DuplicateError            the same flow twice (not summed unless asked: aggregate=True)
    │   └── ModelInputError           a model's inputs (elasticities, scenario dates, sweep sizes, ...)
    ├── MoneyOverflowError (also ArithmeticError)
    ├── DataError
    │   ├── DataReadError (also OSError)      a file cannot be read
    │   ├── DataWriteError (also OSError)     a file cannot be written
    │   ├── CsvFormatError (also ValueError)  malformed CSV, missing or repeated column, a field too long
    │   ├── DataRowError (also ValueError)    a bad value on a line
    │   │   └── DuplicateRowError (also DuplicateError)  the same flow on two lines
    │   ├── DataConsistencyError (also ValueError)
    │   ├── JsonFormatError (also ValueError)
    │   └── SchemaVersionError (also ValueError)
    ├── ModelError
    │   └── ConvergenceError (also ArithmeticError)

Each raised exception has a ``kind`` attribute naming the Rust error variant (or,
for errors found while converting Python arguments, ``ArgumentType`` for a wrong
type and ``OutOfRange`` for a number out of range). Messages name the parameter
and quote at most about 200 characters of what was given.
"""

from __future__ import annotations

__all__ = [
    "TradewarError",
    "ValidationError",
    "ArgumentTypeError",
    "InvalidCodeError",
    "InvalidAmountError",
    "InvalidDateError",
    "TimelineError",
    "ColumnError",
    "CurrencyMismatchError",
    "DuplicateError",
    "ModelInputError",
    "MoneyOverflowError",
    "DataError",
    "DataReadError",
    "DataWriteError",
    "CsvFormatError",
    "DataRowError",
    "DuplicateRowError",
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


class ArgumentTypeError(ValidationError, TypeError):
    """An argument of the wrong Python type (a str where a number is taken, None where a code is taken...)."""


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


class DuplicateError(ValidationError):
    """The same trade flow (exporter, importer, product, year) twice; rows are summed only when asked."""


class ModelInputError(ValidationError):
    """Inputs a model cannot use."""


class MoneyOverflowError(TradewarError, ArithmeticError):
    """An amount too large to represent exactly."""


class DataError(TradewarError):
    """A dataset or file could not be loaded."""


class DataReadError(DataError, OSError):
    """A file could not be read."""


class DataWriteError(DataError, OSError):
    """A file could not be written."""


class CsvFormatError(DataError, ValueError):
    """Malformed CSV, a missing or repeated column, or a field longer than the limit."""


class DataRowError(DataError, ValueError):
    """A bad value on a line of a file."""


class DuplicateRowError(DataRowError, DuplicateError):
    """The same trade flow on two lines of a file."""


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
