"""Periods of the regional rollups: the period around a day, the one before, last year's."""

from datetime import date

import pytest
from crm_projections.rollups import Window, last_year, window


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
