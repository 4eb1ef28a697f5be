"""The embedded datasets and the 2018-2020 story, one call away (no download)."""

from __future__ import annotations

from tradewar._core import (
    census_2017_balance,
    deficit_target,
    may_2018_offer,
    phase_one_commitments,
    us_china_2018_schedule,
    us_china_2018_timeline,
    us_china_trade,
    us_china_trade_totals,
)

__all__ = [
    "census_2017_balance",
    "deficit_target",
    "may_2018_offer",
    "phase_one_commitments",
    "us_china_2018_schedule",
    "us_china_2018_timeline",
    "us_china_trade",
    "us_china_trade_totals",
]
