"""Routes and request models of the service-desk context (DOMAIN.md §4).

Decisions: service agents and the branch manager (and admin) work the tickets of their branch;
whoever hears from the customer (also sales reps) may open or reopen a ticket, record feedback and
log a care contact; only admin changes the SLA policy; everyone reads, auditors included. The
agent's queue is ordered by the customer's grade, then the deadline.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from crm_api.answers import TicketQueue
from crm_api.routes import ADMIN, READERS, Body, Route, example

DESK = frozenset({"service_agent", "branch_manager", "admin"})
FRONT_LINE = DESK | frozenset({"sales_rep"})
Money = Decimal
Text = Field(min_length=1, max_length=200)


class OpenTicket(Body):
    model_config = example(
        account_id="acct-1042",
        ticket_type="repair",
        channel="phone",
        severity="urgent",
        subject="Pump leaking at line 3",
        description="Seal failure after 200 hours",
        product="PX-200 pump",
    )

    account_id: str = Field(min_length=1, max_length=100)
    ticket_type: Literal["complaint", "repair", "service_request", "inquiry"]
    channel: Literal["phone", "email", "web", "visit"]
    severity: Literal["normal", "urgent"] = "normal"
    subject: str = Text
    description: str = Field("", max_length=4000)
    product: str | None = Field(None, max_length=200)
    contract_id: str | None = Field(None, max_length=100)
    branch: str | None = Field(None, max_length=64, description="Required for HQ callers")


class Assign(Body):
    model_config = example(agent_id="agent-7")

    agent_id: str = Field(min_length=1, max_length=100)


class Note(Body):
    model_config = example(note="Seal replaced; tested for 2 hours")

    note: str = Field(min_length=1, max_length=4000)


class TicketReason(Body):
    model_config = example(reason="Leaking again after a day")

    reason: str = Text


class Feedback(Body):
    model_config = example(kind="praise", score=5, comment="Fixed the same day")

    kind: Literal["praise", "complaint"]
    score: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=2000)


class SparePart(Body):
    model_config = example(part="Mechanical seal", quantity=2, unit_price=380)

    part: str = Text
    quantity: Decimal = Field(gt=0, max_digits=12, decimal_places=3)
    unit_price: Money = Field(ge=0, max_digits=16, decimal_places=2)


class Charge(Body):
    model_config = example(description="On-site labour, 3 hours", amount=900)

    description: str = Text
    amount: Money = Field(gt=0, max_digits=16, decimal_places=2)


class CareContact(Body):
    model_config = example(
        account_id="acct-1042", kind="courtesy_call", note="Asked about the new line"
    )

    account_id: str = Field(min_length=1, max_length=100)
    kind: Literal["courtesy_call", "follow_up"]
    note: str = Field("", max_length=4000)
    ticket_id: str | None = Field(None, max_length=100)
    branch: str | None = Field(None, max_length=64, description="Required for HQ callers")


class Target(Body):
    grade: Literal["A", "B", "C"]
    ticket_type: Literal["complaint", "repair", "service_request", "inquiry"] | None = None
    hours: int = Field(ge=1, le=24 * 365)


class SlaPolicy(Body):
    model_config = example(
        targets=[
            {"grade": "A", "hours": 72},
            {"grade": "B", "hours": 96},
            {"grade": "C", "hours": 120},
        ],
        near_breach_percent=80,
    )

    targets: list[Target] = Field(min_length=1, max_length=100)
    near_breach_percent: Decimal = Field(Decimal(80), gt=0, lt=100, decimal_places=2)


class Queue(Body):
    branch: str | None = Field(None, max_length=64, description="HQ roles: whose queue")
    assignee: str | None = Field(None, max_length=100, description="Only this agent's tickets")


def _r(
    name: str, method: str, path: str, summary: str, roles: frozenset[str], **kw: object
) -> Route:
    return Route(name, method, path, summary, roles, tags=("service desk",), **kw)  # type: ignore[arg-type]


ONE = "/tickets/{ticket_id}"
OPEN_TICKET = _r(
    "open_ticket",
    "POST",
    "/tickets",
    "Open a ticket; its deadline follows the customer's grade",
    FRONT_LINE,
    body=OpenTicket,
    status=201,
)
ASSIGN_TICKET = _r(
    "assign_ticket", "POST", ONE + "/assign", "Assign a ticket to an agent", DESK, body=Assign
)
START_TICKET_WORK = _r(
    "start_ticket_work", "POST", ONE + "/start", "Start working on a ticket", DESK
)
RESOLVE_TICKET = _r("resolve_ticket", "POST", ONE + "/resolve", "Resolve a ticket", DESK, body=Note)
CLOSE_TICKET = _r("close_ticket", "POST", ONE + "/close", "Close a resolved ticket", DESK)
REOPEN_TICKET = _r(
    "reopen_ticket",
    "POST",
    ONE + "/reopen",
    "Reopen a resolved or closed ticket",
    FRONT_LINE,
    body=TicketReason,
)
GIVE_TICKET_FEEDBACK = _r(
    "give_ticket_feedback",
    "POST",
    ONE + "/feedback",
    "The customer's verdict on the resolution",
    FRONT_LINE,
    body=Feedback,
)
RECORD_SPARE_PART = _r(
    "record_spare_part",
    "POST",
    ONE + "/spare-parts",
    "Record a spare part used on a repair",
    DESK,
    body=SparePart,
)
RECORD_SERVICE_CHARGE = _r(
    "record_service_charge",
    "POST",
    ONE + "/charges",
    "Record a service charge on a repair",
    DESK,
    body=Charge,
)
GET_TICKET = _r("get_ticket", "GET", ONE, "A ticket's current state", READERS)
TICKET_QUEUE = _r(
    "ticket_queue",
    "GET",
    "/ticket-queue",
    "Open tickets by the customer's grade, then deadline",
    READERS,
    query=Queue,
    answer=TicketQueue,
)
LOG_CARE_CONTACT = _r(
    "log_care_contact",
    "POST",
    "/care-contacts",
    "Log a courtesy call or follow-up",
    FRONT_LINE,
    body=CareContact,
    status=201,
)
GET_CARE_LOG = _r(
    "get_care_log", "GET", "/care-logs/{customer_id}", "A customer's care contacts", READERS
)
GET_SERVICE_GRADE = _r(
    "get_service_grade",
    "GET",
    "/service-grades/{customer_id}",
    "The grade the desk serves a customer by (its copy of CustomerGradeChanged)",
    READERS,
)
CHANGE_SLA_POLICY = _r(
    "change_sla_policy",
    "PUT",
    "/sla-policy",
    "Set the SLA hours per grade and ticket type",
    ADMIN,
    body=SlaPolicy,
)
GET_SLA_POLICY = _r("get_sla_policy", "GET", "/sla-policy", "The SLA policy in force", READERS)

ROUTES = (
    OPEN_TICKET,
    ASSIGN_TICKET,
    START_TICKET_WORK,
    RESOLVE_TICKET,
    CLOSE_TICKET,
    REOPEN_TICKET,
    GIVE_TICKET_FEEDBACK,
    RECORD_SPARE_PART,
    RECORD_SERVICE_CHARGE,
    GET_TICKET,
    TICKET_QUEUE,
    LOG_CARE_CONTACT,
    GET_CARE_LOG,
    GET_SERVICE_GRADE,
    CHANGE_SLA_POLICY,
    GET_SLA_POLICY,
)
