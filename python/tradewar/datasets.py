"""The embedded datasets, the 2018-2020 story and the 2025-2026 US tariff stack, one call away (no download)."""

from __future__ import annotations

from tradewar._core import (
    census_2017_balance,
    china_effective_rates,
    deficit_target,
    gravity_sample_2006,
    may_2018_offer,
    phase_one_commitments,
    us_china_2018_schedule,
    us_china_2018_timeline,
    us_china_trade,
    us_china_trade_totals,
    us_effective_rate,
    us_tariffs_2025_event_dates,
    us_tariffs_2025_latest_date,
    us_tariffs_2025_schedule,
    us_tariffs_2025_timeline,
)

__all__ = [
    "census_2017_balance",
    "china_effective_rates",
    "deficit_target",
    "gravity_sample_2006",
    "may_2018_offer",
    "phase_one_commitments",
    "us_china_2018_schedule",
    "us_china_2018_timeline",
    "us_china_trade",
    "us_china_trade_totals",
    "us_effective_rate",
    "us_tariffs_2025_event_dates",
    "us_tariffs_2025_latest_date",
    "us_tariffs_2025_schedule",
    "us_tariffs_2025_timeline",
]
