"""The ticket most of these tests start from: a grade-B repair opened at T0 by sam."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from crm_events.service_desk import TicketAssigned, TicketOpened, TicketWorkStarted

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
ASSIGNED = TicketAssigned("t1", None, "ann", "mia", T0 + H)
STARTED = TicketWorkStarted("t1", "ann", T0 + 2 * H)


def opened(**extra: Any) -> TicketOpened:
    """Grade B: four days to resolve, near breach at 80 % of them; `extra` adds or changes fields."""
    fields: dict[str, Any] = {
        "ticket_id": "t1",
        "account_id": "a1",
        "branch": "SH01",
        "ticket_type": "repair",
        "channel": "phone",
        "severity": "normal",
        "subject": "Pump leaks",
        "description": "Seal gone",
        "grade": "B",
        "sla_hours": Decimal(96),
        "deadline": T0 + 96 * H,
        "near_breach_at": T0 + timedelta(hours=76.8),
        "opened_by": "sam",
        "opened_at": T0,
    }
    return TicketOpened(**(fields | extra))
