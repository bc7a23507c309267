"""Periods of the regional rollups: the period around a day, the one before, last year's."""

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from crm_projections.rollups import Window, _money, _rate, last_year, window
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.mark.parametrize(
    ("period", "at", "back", "expected", "label"),
    [
        ("month", date(2026, 3, 15), 0, Window(date(2026, 3, 1), date(2026, 4, 1)), "2026-03"),
        ("month", date(2026, 1, 31), 1, Window(date(2025, 12, 1), date(2026, 1, 1)), "2025-12"),
        ("quarter", date(2026, 5, 2), 0, Window(date(2026, 4, 1), date(2026, 7, 1)), "2026-Q2"),
        ("quarter", date(2026, 2, 2), 1, Window(date(2025, 10, 1), date(2026, 1, 1)), "2025-Q4"),
        ("year", date(2026, 12, 31), 0, Window(date(2026, 1, 1), date(2027, 1, 1)), "2026"),
        ("year", date(2026, 6, 1), 1, Window(date(2025, 1, 1), date(2026, 1, 1)), "2025"),
    ],
)
def test_periods(period: str, at: date, back: int, expected: Window, label: str) -> None:
    found = window(period, at, back)
    assert found == expected
    assert found.label == label


def test_the_same_period_last_year() -> None:
    q2 = window("quarter", date(2026, 5, 2))
    assert last_year(q2) == Window(date(2025, 4, 1), date(2025, 7, 1))


def test_the_previous_periods_reach_back_across_years() -> None:
    assert window("month", date(2026, 2, 10), 14) == Window(date(2024, 12, 1), date(2025, 1, 1))
    assert window("quarter", date(2026, 12, 31), 5) == Window(date(2025, 7, 1), date(2025, 10, 1))
    assert window("quarter", date(2026, 9, 30)).label == "2026-Q3"
    assert window("quarter", date(2026, 10, 1)).label == "2026-Q4"
    assert window("month", date(2026, 12, 1)) == Window(date(2026, 12, 1), date(2027, 1, 1))


def test_last_year_of_a_month_and_of_a_year() -> None:
    assert last_year(Window(date(2026, 1, 1), date(2026, 2, 1))) == Window(
        date(2025, 1, 1), date(2025, 2, 1)
    )
    assert last_year(Window(date(2026, 1, 1), date(2027, 1, 1))).label == "2025"


def test_money_and_rates() -> None:
    assert _money(None) == 0.0 and _money(Decimal("12.50")) == 12.5
    assert _rate(1, 3) == 0.3333 and _rate(2, 0) is None and _rate(0, 4) == 0.0


SIZES = {"month": 1, "quarter": 3, "year": 12}


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(sorted(SIZES)),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)),
    st.integers(min_value=0, max_value=40),
)
def test_periods_tile_the_calendar(period: str, at: date, back: int) -> None:
    """The period around a day holds it, starts on the first of a month, spans its months, and
    the period `back` steps earlier ends where the one after it starts."""
    size = SIZES[period]
    now = window(period, at)
    assert now.start <= at < now.end and now.start.day == 1
    assert (now.end.year - now.start.year) * 12 + now.end.month - now.start.month == size
    assert (now.start.month - 1) % size == 0
    earlier = window(period, at, back)
    assert window(period, at, back + 1).end == earlier.start
    assert window(period, earlier.start) == earlier
    assert window(period, earlier.end - timedelta(days=1)) == earlier
    assert last_year(now) == Window(
        now.start.replace(year=now.start.year - 1), now.end.replace(year=now.end.year - 1)
    )


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=1990, max_value=2090))
def test_months_and_quarters_tile_the_year(year: int) -> None:
    whole = window("year", date(year, 7, 1))
    for period, size in (("month", 1), ("quarter", 3)):
        parts = [window(period, date(year, m, 1)) for m in range(1, 13, size)]
        assert parts[0].start == whole.start and parts[-1].end == whole.end
        assert all(a.end == b.start for a, b in pairwise(parts))
        assert len({p.label for p in parts}) == 12 // size
