"""The `service` read model: every ticket with its SLA outcome, repairs and the customer's verdict.

Views: `reporting.service_tickets`, `reporting.service_quality` (per branch: tickets, complaints,
SLA breaches, feedback, praise, average score), `reporting.complaint_delays` (complaints resolved
late or still open past the deadline, with the grade), `reporting.repair_statistics`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from crm_events import Envelope
from crm_events.service_desk import CONTEXT
from sqlalchemy import Table

from crm_projections.read_models.service.tables import service_tickets as t
from crm_projections.readmodel import Key, ReadModel, Rows


def keys(e: Envelope) -> Iterable[tuple[Table, Key]]:
    return ((t, (e.data["ticket_id"],)),)


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def evolve(rows: Rows, e: Envelope) -> None:
    d: dict[str, Any] = e.data
    key = (d["ticket_id"],)
    if e.type == "TicketOpened":
        rows.put(
            t,
            key,
            {
                "ticket_id": d["ticket_id"],
                "branch": d["branch"],
                "account_id": d["account_id"],
                "ticket_type": d["ticket_type"],
                "channel": d["channel"],
                "severity": d["severity"],
                "grade": d["grade"],
                "product": d.get("product"),
                "status": "open",
                "assignee": None,
                "opened_at": _at(d["opened_at"]),
                "deadline": _at(d["deadline"]),
                "first_resolved_at": None,
                "resolved_within_sla": None,
                "resolutions": 0,
                "reopened": 0,
                "breached_at": None,
                "feedback_kind": None,
                "feedback_score": None,
                "feedback_at": None,
                "feedback_agent": None,
                "parts_amount": Decimal(0),
                "charges_amount": Decimal(0),
            },
        )
        return
    row = rows.get(t, key)
    if row is None:
        return
    match e.type:
        case "TicketAssigned":
            row = {**row, "assignee": d["to_agent"], "status": "assigned"}
        case "TicketWorkStarted":
            row = {**row, "status": "in_progress"}
        case "TicketResolved":
            row = {
                **row,
                "status": "resolved",
                "resolutions": d["resolution"],
                "first_resolved_at": row["first_resolved_at"] or _at(d["at"]),
                "resolved_within_sla": d["within_sla"]
                if row["resolved_within_sla"] is None
                else row["resolved_within_sla"],
            }
        case "TicketClosed":
            row = {**row, "status": "closed"}
        case "TicketReopened":
            row = {
                **row,
                "status": "assigned" if d.get("assignee") else "open",
                "reopened": row["reopened"] + 1,
            }
        case "TicketFeedbackGiven":
            row = {
                **row,
                "feedback_kind": d["kind"],
                "feedback_score": d["score"],
                "feedback_at": _at(d["at"]),
                "feedback_agent": d.get("agent_id"),
            }
        case "TicketSparePartUsed":
            row = {**row, "parts_amount": row["parts_amount"] + Decimal(d["part"]["amount"])}
        case "TicketServiceCharged":
            row = {**row, "charges_amount": row["charges_amount"] + Decimal(d["amount"])}
        case "TicketSlaBreached":
            row = {**row, "breached_at": row["breached_at"] or _at(d["at"])}
        case _:
            return
    rows.put(t, key, row)


MODEL = ReadModel(
    name="service",
    contexts=(CONTEXT,),
    tables=(t,),
    handles=frozenset(
        {
            "TicketOpened",
            "TicketAssigned",
            "TicketWorkStarted",
            "TicketResolved",
            "TicketClosed",
            "TicketReopened",
            "TicketFeedbackGiven",
            "TicketSparePartUsed",
            "TicketServiceCharged",
            "TicketSlaBreached",
        }
    ),
    keys=keys,
    evolve=evolve,
)
