"""The 2025-2026 US stack on its two date conventions, and the April 2026 metals annexes.

Every change carries its legal effective date (the default) and the date of the HTS
revision that carried it (`dates="hts_revision"`, the Budget Lab tracker's dating);
the Rust tests (tests/tariff_stack_2025.rs) check the same values by hand.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

import tradewar as tw
import tradewar.exceptions as ex


@pytest.fixture(scope="module")
def legal() -> tw.Schedule:
    return tw.datasets.us_tariffs_2025_schedule()


@pytest.fixture(scope="module")
def hts() -> tw.Schedule:
    return tw.datasets.us_tariffs_2025_schedule(dates="hts_revision")


def test_geneva_is_dated_2025_05_14_by_default_and_2025_04_14_on_revision_dates(
    legal: tw.Schedule, hts: tw.Schedule
) -> None:
    # Chinese furniture on List 3: 25 + fentanyl 20 + reciprocal 125 until the Geneva cut
    # (EO 14298, effective 2025-05-14), then 25 + 20 + 10.
    line = "9403.60.8081"
    assert legal.at("2025-04-20").total("USA", "CHN", line) == tw.Percent("170")
    assert legal.at("2025-05-14").total("USA", "CHN", line) == tw.Percent("55")
    assert hts.at("2025-04-20").total("USA", "CHN", line) == tw.Percent("55")
    assert legal == tw.datasets.us_tariffs_2025_schedule(dates="legal")
    assert tw.datasets.us_tariffs_2025_timeline().name.endswith("(legal effective dates)")
    assert tw.datasets.us_tariffs_2025_timeline("hts_revision").name.endswith("(HTS revision dates)")


def test_event_dates_and_china_rates_follow_the_convention(hts: tw.Schedule) -> None:
    by_law = tw.datasets.us_tariffs_2025_event_dates().to_dict()
    by_rev = tw.datasets.us_tariffs_2025_event_dates(dates="hts_revision").to_dict()
    assert by_law["date"][0] == datetime.date(2025, 2, 4)
    assert by_rev["date"][0] == datetime.date(2025, 1, 27)
    rates = tw.datasets.china_effective_rates().to_dict()
    geneva = rates["date"].index(datetime.date(2025, 5, 14))
    assert "Geneva" in rates["events"][geneva]
    assert datetime.date(2025, 4, 14) not in rates["date"]
    on_rev = tw.datasets.china_effective_rates(hts, dates="hts_revision").to_dict()
    assert "Geneva" in on_rev["events"][on_rev["date"].index(datetime.date(2025, 4, 14))]
    assert on_rev["total"][on_rev["date"].index(datetime.date(2025, 4, 14))] == rates["total"][geneva]
    # The peak: above 100% for 34 days on legal dates (2025-04-10 to 2025-05-13).
    peak = [d for d, t in zip(rates["date"], rates["total"]) if t > 100]
    assert peak == [datetime.date(2025, 4, 10), datetime.date(2025, 5, 3)]


def test_us_effective_rate_takes_the_convention_of_its_default_schedule(hts: tw.Schedule) -> None:
    during = tw.datasets.us_effective_rate("2025-04-20").total.value
    assert during > 100
    assert tw.datasets.us_effective_rate("2025-04-20", dates="hts_revision").total.value < 50
    assert tw.datasets.us_effective_rate("2025-04-20", schedule=hts) == tw.datasets.us_effective_rate(
        "2025-04-20", dates="hts_revision"
    )
    assert isinstance(during, Decimal)


def test_bad_conventions_are_refused_with_the_accepted_spellings(hts: tw.Schedule) -> None:
    with pytest.raises(ex.InvalidCodeError, match=r'date convention "revision".*legal, hts_revision'):
        tw.datasets.us_tariffs_2025_schedule(dates="revision")  # type: ignore[arg-type]
    with pytest.raises(ex.InvalidCodeError, match="date convention"):
        tw.datasets.china_effective_rates(dates="HTS")  # type: ignore[arg-type]
    with pytest.raises(ex.ValidationError, match="not both"):
        tw.datasets.us_effective_rate("2025-04-20", schedule=hts, dates="legal")


def test_annex_i_a_carries_the_articles_of_steel(legal: tw.Schedule) -> None:
    # Hot-rolled flat steel 7208.51.00 (MFN free) from Germany: 232 steel 50% before
    # 2026-04-06, Annex I-A 50% after (U.S. note 16(c)(iii) lists heading 7208).
    for date in ["2026-03-01", "2026-04-06", "2026-04-29"]:
        assert legal.at(date).total("USA", "DEU", "7208.51.00") == tw.Percent("50"), date
    stack = legal.query("USA", "DEU", "7208.51.00", "2026-04-29")
    assert [layer[0] for layer in stack.layers] == ["US232-ANNEX-1A"]
    # China adds Section 301 heading 9903.91.01 (25%).
    assert legal.at("2026-04-29").total("USA", "CHN", "7208.51.00") == tw.Percent("75")
