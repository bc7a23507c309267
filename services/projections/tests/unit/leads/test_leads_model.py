"""The leads read model folds leads, campaigns and accounts into rows (pure: no database)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

from crm_events import Envelope, Metadata, to_data
from crm_events.leads import (
    AccountInteractionLogged,
    AccountOpened,
    CampaignCostRecorded,
    CampaignPlanned,
    CustomerGradeChanged,
    LeadAssigned,
    LeadCaptured,
    LeadConverted,
    LeadFollowUpOverdue,
)
from crm_projections.read_models.leads import model as leads
from crm_projections.read_models.leads.tables import accounts, campaigns
from crm_projections.read_models.leads.tables import leads as lead_rows
from crm_projections.readmodel import Rows

T = datetime(2026, 3, 2, 9, tzinfo=UTC)
META = Metadata("u", "sales_rep", "SH01", "c")


def fold(*events: Any) -> Rows:
    rows = Rows()
    for i, e in enumerate(events, 1):
        leads.evolve(
            rows, Envelope(uuid4(), type(e).event_type, 1, "s", i, i, T, T, to_data(e), META)
        )
    return rows


def test_a_lead_from_capture_to_conversion_with_its_missed_follow_up() -> None:
    rows = fold(
        LeadCaptured(
            "l1",
            "SH01",
            "campaign",
            "c1",
            "Huadong",
            "Wang",
            "w@h.cn",
            None,
            (),
            ("lead-l0",),
            "mia",
            T,
        ),
        LeadAssigned("l1", "SH01", None, "alice", "mgr", True, T),
        LeadFollowUpOverdue("l1", "SH01", "alice", T, 48, T + timedelta(hours=50)),
        LeadConverted(
            "l1",
            "a1",
            True,
            "o1",
            "deal",
            Decimal(10),
            "CNY",
            date(2027, 1, 1),
            "c1",
            "SH01",
            "alice",
            T + timedelta(days=9),
        ),
    )
    (row,) = rows.all(lead_rows)
    assert (row["status"], row["assignee"], row["campaign_id"], row["possible_duplicates"]) == (
        "converted",
        "alice",
        "c1",
        1,
    )
    assert row["overdue_since"] == T + timedelta(hours=50) and row["opportunity_id"] == "o1"


def test_campaign_costs_add_up_and_accounts_remember_their_last_contact() -> None:
    rows = fold(
        CampaignPlanned(
            "c1",
            "SH01",
            "webinar",
            "t",
            "s",
            date(2026, 4, 1),
            date(2026, 4, 1),
            Decimal(900),
            "mia",
            T,
        ),
        CampaignCostRecorded("c1", "SH01", Decimal("100.50"), "ads", T),
        CampaignCostRecorded("c1", "SH01", Decimal("50"), "venue", T),
        AccountOpened("a1", "SH01", "Huadong", "steel", "large", "alice", Decimal(0), 30, None, T),
        AccountInteractionLogged(
            "a1", "SH01", "i2", "visit", "alice", "", Decimal(30), T + timedelta(days=5)
        ),
        AccountInteractionLogged(
            "a1", "SH01", "i1", "call", "alice", "", Decimal(0), T + timedelta(days=2)
        ),
        CustomerGradeChanged("a1", "SH01", "A", None, "admin", T),
    )
    (campaign,) = rows.all(campaigns)
    assert campaign["actual_cost"] == Decimal("150.50")
    (account,) = rows.all(accounts)
    assert (account["interactions"], account["interaction_cost"], account["grade"]) == (
        2,
        Decimal(30),
        "A",
    )
    assert account["last_interaction_at"] == T + timedelta(days=5)
