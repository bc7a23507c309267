"""The service read model folds a ticket's life into one row (pure: no database)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

from crm_events import Envelope, Metadata, to_data
from crm_events.service_desk import (
    SparePart,
    TicketFeedbackGiven,
    TicketOpened,
    TicketReopened,
    TicketResolved,
    TicketSlaBreached,
    TicketSparePartUsed,
)
from crm_projections.read_models.service import model as service
from crm_projections.read_models.service.tables import service_tickets
from crm_projections.readmodel import Rows

T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)
META = Metadata("agent", "service_agent", "SH01", "c")


def envelopes(*events: Any) -> list[Envelope]:
    return [
        Envelope(uuid4(), type(e).event_type, 1, "ticket-t1", i, i, T0, T0, to_data(e), META)
        for i, e in enumerate(events, 1)
    ]


def test_a_late_complaint_with_a_reopen_and_a_verdict() -> None:
    deadline = T0 + timedelta(hours=36)
    history = envelopes(
        TicketOpened(
            "t1",
            "a1",
            "SH01",
            "complaint",
            "phone",
            "urgent",
            "Leak",
            "",
            "A",
            Decimal(36),
            deadline,
            T0 + timedelta(hours=28),
            "agent",
            T0,
        ),
        TicketSlaBreached("t1", "SH01", "A", "agent", deadline, deadline + timedelta(hours=1)),
        TicketResolved("t1", "SH01", 1, "fixed", "agent", False, deadline + timedelta(hours=5)),
        TicketReopened(
            "t1",
            "resolved",
            "still leaking",
            "agent",
            deadline,
            "agent",
            deadline + timedelta(hours=9),
        ),
        TicketResolved(
            "t1", "SH01", 2, "fixed again", "agent", False, deadline + timedelta(hours=20)
        ),
        TicketFeedbackGiven(
            "t1", "SH01", 2, "complaint", 2, "slow", "agent", deadline + timedelta(hours=30)
        ),
        TicketSparePartUsed(
            "t1", SparePart("seal", Decimal(2), Decimal("12.50"), Decimal("25.00")), "agent", T0
        ),
    )
    rows = Rows()
    for e in history:
        service.evolve(rows, e)
    (row,) = rows.all(service_tickets)
    assert row["status"] == "resolved" and row["resolutions"] == 2 and row["reopened"] == 1
    assert row["first_resolved_at"] == deadline + timedelta(hours=5)
    assert row["resolved_within_sla"] is False
    assert row["breached_at"] == deadline + timedelta(hours=1)
    assert (row["feedback_kind"], row["feedback_score"]) == ("complaint", 2)
    assert row["parts_amount"] == Decimal("25.00") and row["grade"] == "A"
