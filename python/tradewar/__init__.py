"""tradewar: trade-policy conflicts as typed domain objects, and what they do.

The classes come from the Rust core (``tradewar._core``); money is
``decimal.Decimal``, dates are ``datetime.date``, codes may be given as strings.
"""

from __future__ import annotations

from tradewar import datasets, exceptions
from tradewar._core import (
    AccountingModel,
    DateWindow,
    DutyStack,
    Economy,
    Event,
    GeModel,
    GsimModel,
    HsCode,
    Measure,
    MfnTable,
    Model,
    Money,
    Outcome,
    Percent,
    Scenario,
    Schedule,
    SmartModel,
    Sweep,
    Table,
    Target,
    Timeline,
    TradeMatrix,
    __version__,
    coverage_by_measure,
    tariff_path,
)
from tradewar.exceptions import (
    ConvergenceError,
    CsvFormatError,
    DataError,
    ModelError,
    TradewarError,
    ValidationError,
)

__all__ = [
    "AccountingModel",
    "ConvergenceError",
    "CsvFormatError",
    "DataError",
    "DateWindow",
    "DutyStack",
    "Economy",
    "Event",
    "GeModel",
    "GsimModel",
    "HsCode",
    "Measure",
    "MfnTable",
    "Model",
    "ModelError",
    "Money",
    "Outcome",
    "Percent",
    "Scenario",
    "Schedule",
    "SmartModel",
    "Sweep",
    "Table",
    "Target",
    "Timeline",
    "TradeMatrix",
    "TradewarError",
    "ValidationError",
    "__version__",
    "coverage_by_measure",
    "datasets",
    "exceptions",
    "tariff_path",
]
