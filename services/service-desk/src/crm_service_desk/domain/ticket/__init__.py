"""The Ticket aggregate (DOMAIN.md §4): open -> assigned -> in progress -> resolved -> closed.

The SLA deadline is set once, at opening, from the customer's grade and the policy. Reopening a
resolved or closed ticket sends it back to its last agent under the SAME deadline: the customer's
problem was not solved in time if the first resolution did not hold, so no new SLA is granted (a
reopened ticket past its deadline is breached at the next scheduled check). The SLA clock only
runs while the ticket is unresolved. Feedback is given at most once per resolution.

`commands` holds what it is asked and records, `state` what its history folds into (a type per
status), `decide` and `evolve` the two pure functions.
"""

from __future__ import annotations

from crm_platform.domain import Decider

from crm_service_desk.domain.ticket.commands import (
    CHANNELS,
    FEEDBACK_KINDS,
    SEVERITIES,
    AssignTicket,
    CheckSla,
    CloseTicket,
    Command,
    Event,
    GiveFeedback,
    OpenTicket,
    RecordServiceCharge,
    RecordSparePart,
    ReopenTicket,
    ResolveTicket,
    StartWork,
)
from crm_service_desk.domain.ticket.decide import decide
from crm_service_desk.domain.ticket.evolve import evolve
from crm_service_desk.domain.ticket.state import (
    Assigned,
    Closed,
    InProgress,
    Nothing,
    Open,
    Opened,
    Resolved,
    Settled,
    Staffed,
    State,
    Status,
    Ticket,
    assignee_of,
    initial_state,
)

ticket: Decider[Command, State, Event] = Decider(decide, evolve, initial_state)


def stream_id(ticket_id: str) -> str:
    return f"ticket-{ticket_id}"


__all__ = [
    "CHANNELS",
    "FEEDBACK_KINDS",
    "SEVERITIES",
    "AssignTicket",
    "Assigned",
    "CheckSla",
    "CloseTicket",
    "Closed",
    "Command",
    "Event",
    "GiveFeedback",
    "InProgress",
    "Nothing",
    "Open",
    "OpenTicket",
    "Opened",
    "RecordServiceCharge",
    "RecordSparePart",
    "ReopenTicket",
    "ResolveTicket",
    "Resolved",
    "Settled",
    "Staffed",
    "StartWork",
    "State",
    "Status",
    "Ticket",
    "assignee_of",
    "decide",
    "evolve",
    "initial_state",
    "stream_id",
    "ticket",
]
