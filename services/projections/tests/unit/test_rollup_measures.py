"""The measures of a regional rollup, put together from the rows PostgreSQL answers (each row
names its group first); the queries themselves are checked end to end (tests/e2e)."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from crm_projections.rollups import Window, attained, quota_end, tally

NOTHING: dict[str, Any] = {
    "won_count": 0,
    "won_revenue": 0.0,
    "contracts_signed": 0,
    "contracts_amount": 0.0,
    "tickets_opened": 0,
    "complaints": 0,
    "sla_breaches": 0,
    "feedback": 0,
    "praise": 0,
    "average_score": None,
    "open_pipeline": {},
    "open_pipeline_amount": 0.0,
    "receivables": 0.0,
    "overdue": 0.0,
    "overdue_instalments": 0,
    "quota": 0.0,
    "quota_attainment": None,
    "satisfaction_rate": None,
    "sla_breach_rate": None,
}


def test_every_measure_of_a_group() -> None:
    found = tally(
        {
            "won": [("SH01", 2, Decimal("300.50"))],
            "signed": [("SH01", 3, Decimal(1200))],
            "tickets": [("SH01", 5, 2)],
            "breaches": [("SH01", 1, 0)],
            "feedback": [("SH01", 4, 3, Decimal("4.3333333"))],
        },
        {"SH01": (1000.0, 0.3005)},
        {
            "pipeline": [
                ("SH01", "bidding", 2, Decimal("100.25")),
                ("SH01", "negotiation", 1, Decimal(50)),
            ],
            "receivables": [("SH01", 3, Decimal(900))],
            "overdue": [("SH01", 2, Decimal("150.5"))],
        },
    )
    assert found == {
        "SH01": {
            "won_count": 2,
            "won_revenue": 300.5,
            "contracts_signed": 3,
            "contracts_amount": 1200.0,
            "tickets_opened": 5,
            "complaints": 2,
            "sla_breaches": 1,
            "feedback": 4,
            "praise": 3,
            "average_score": 4.33,
            "open_pipeline": {
                "bidding": {"count": 2, "amount": 100.25},
                "negotiation": {"count": 1, "amount": 50.0},
            },
            "open_pipeline_amount": 150.25,
            "receivables": 900.0,
            "overdue": 150.5,
            "overdue_instalments": 2,
            "quota": 1000.0,
            "quota_attainment": 0.3005,
            "satisfaction_rate": 0.75,  # 3 praise of 4 verdicts
            "sla_breach_rate": 0.2,  # 1 breach of 5 tickets
        }
    }


def test_a_group_with_one_measure_has_every_other_at_nothing() -> None:
    found = tally(
        {"won": [("SH02", 1, Decimal(10))], "feedback": [("SH04", 2, 0, None)]},
        {"SH03": (500.0, 0.0)},
        {"receivables": [("SH05", 1, None)]},
    )
    assert found == {
        "SH02": NOTHING | {"won_count": 1, "won_revenue": 10.0},
        "SH04": NOTHING | {"feedback": 2, "satisfaction_rate": 0.0},
        "SH03": NOTHING | {"quota": 500.0, "quota_attainment": 0.0},
        "SH05": NOTHING,
    }
    # every group has its own pipeline
    found["SH02"]["open_pipeline"]["x"] = 1
    assert found["SH04"]["open_pipeline"] == {}


def test_no_rows_no_groups() -> None:
    assert tally({}, {}, {}) == {}


def test_attainment_is_won_revenue_over_quota() -> None:
    assert attained({"a": 200.0, "d": 100.0}, {"a": 50.0, "c": 30.0}) == {
        "a": (200.0, 0.25),
        "c": (0.0, None),  # won without a quota: no attainment
        "d": (100.0, 0.0),
    }


Q2 = Window(date(2026, 4, 1), date(2026, 7, 1))


def test_a_running_period_counts_the_quota_of_the_months_begun() -> None:
    assert quota_end(Q2, datetime(2026, 5, 15, 8, tzinfo=UTC)) == date(2026, 6, 1)
    assert quota_end(Q2, datetime(2026, 6, 30, 23, 59, tzinfo=UTC)) == date(2026, 7, 1)
    year = Window(date(2026, 1, 1), date(2027, 1, 1))
    assert quota_end(year, datetime(2026, 12, 31, tzinfo=UTC)) == date(2027, 1, 1)


def test_a_period_over_counts_all_its_quota() -> None:
    assert quota_end(Q2, datetime(2026, 7, 1, tzinfo=UTC)) == date(2026, 7, 1)
    assert quota_end(Q2, datetime(2027, 3, 10, tzinfo=UTC)) == date(2026, 7, 1)
