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
    │   ├── ModelInputError           a model's inputs (elasticities, scenario dates, sweep sizes, ...)
    │   └── UnanswerableError         a question the data cannot answer as asked (the message
    │                                 says what to ask instead)
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
    │   ├── ConvergenceError (also ArithmeticError)
    │   └── UnsupportedMeasureError (also ValueError)   a measure the model cannot represent

Each raised exception has a ``kind`` attribute naming the Rust error variant (or,
for errors found while converting Python arguments, ``ArgumentType`` for a wrong
type and ``OutOfRange`` for a number out of range). Messages name the parameter
and quote at most about 200 characters of what was given.

Answers that stand only under an assumption are flagged with a warning:

    TradewarWarning (a UserWarning)
    ├── OutsideDataWarning       a date outside the sources, an economy whose tariffs they do not hold
    ├── IncompleteRateWarning    a base rate unknown (taken as 0), specific duties left out of a total
    │                            or taken at an ad valorem equivalent (an HS6 unit value)
    ├── UpperBoundWarning        a number that is only an upper bound (a denial order on one firm)
    └── ApproximationWarning     an approximation taken outside its range (GSIM's percentage-change
                                 form sending a flow below zero)
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
    "UnanswerableError",
    "UnsupportedMeasureError",
    "TradewarWarning",
    "OutsideDataWarning",
    "IncompleteRateWarning",
    "UpperBoundWarning",
    "ApproximationWarning",
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


class UnanswerableError(ValidationError):
    """A question the data cannot answer as asked: an economy paired with itself, an importer or year
    outside the data, a code coarser than the tariff lines, a line split by a finer listing (kinds
    SelfPair, NotCovered, NoTrade, QueryLevel, SplitLine). The message says what to ask instead."""


class UnsupportedMeasureError(ModelError, ValueError):
    """A measure, or a change of one, that the model cannot represent; it is refused, never ignored.
    The message names the measure and the model, and says what to do instead."""


class TradewarWarning(UserWarning):
    """Root of the warnings of tradewar: an answer that stands only under the assumption stated."""


class OutsideDataWarning(TradewarWarning):
    """A date outside the period the sources describe, or an economy whose tariffs they do not hold."""


class IncompleteRateWarning(TradewarWarning):
    """A rate with a part missing or estimated: a base rate unknown (taken as 0), specific duties left out,
    or specific duties taken at their ad valorem equivalents at a unit value of trade."""


class UpperBoundWarning(TradewarWarning):
    """A number that is only an upper bound (e.g. the coverage of a denial order on one firm)."""


class ApproximationWarning(TradewarWarning):
    """An answer of an approximation taken outside its range (GSIM's percentage-change form sending a flow
    below zero): the numbers it flags are not meaningful; solve the exact form."""
