"""The service desk's command table (crm_platform.commands). A new ticket looks up the SLA policy
and the desk's copy of the customer's grade. Roles are the route table's alone; what is left here
depends on the call or the record: a service agent may take a ticket but not hand it to someone
else, a care log of another branch is not found."""

from __future__ import annotations

from typing import Any

from crm_api import service_desk as api
from crm_events.service_desk import SlaTarget
from crm_platform.auth import Actor
from crm_platform.commands import Call, Read, Records, Spec, Write, branch_for, everyone
from crm_platform.domain import DomainError, NotFound
from crm_platform.eventstore import EventStore
from crm_platform.handler import load
from crm_platform.http import plain

from crm_service_desk.domain import care, grade, sla
from crm_service_desk.domain import ticket as t
from crm_service_desk.domain.ticket import State, Ticket, stream_id, ticket


# --- lookups ------------------------------------------------------------------------------------
async def sla_policy_in_force(store: EventStore) -> sla.SlaPolicy:
    policy: sla.SlaPolicy = (await load(store, sla.sla_policy, sla.stream_id())).state
    return policy


async def grade_of(store: EventStore, account_id: str) -> str | None:
    """The desk's copy of the customer's grade; None when no grade has reached it."""
    loaded = await load(store, grade.customer_grade, grade.stream_id(account_id))
    return grade.current_grade(loaded.state)


# --- tickets ------------------------------------------------------------------------------------
async def _open(call: Call, _: State) -> t.OpenTicket:
    body: api.OpenTicket = call.body
    return t.OpenTicket(
        ticket_id=call.record_id,
        account_id=body.account_id,
        branch=branch_for(call.actor, body.branch),
        ticket_type=body.ticket_type,
        channel=body.channel,
        severity=body.severity,
        subject=body.subject,
        description=body.description,
        grade=await grade_of(call.store, body.account_id),
        by=call.by,
        at=call.at,
        product=body.product,
        contract_id=body.contract_id,
        policy=await sla_policy_in_force(call.store),
    )


def _assign(call: Call, _: Ticket) -> t.AssignTicket:
    """A branch manager (or admin) assigns anyone; a service agent may only take a ticket."""
    actor, agent_id = call.actor, call.body.agent_id
    if actor.role == "service_agent" and agent_id != actor.user_id:
        raise DomainError("A service agent can take a ticket, not hand it to someone else.")
    return t.AssignTicket(agent_id, actor.user_id, call.at)


_ticket = Records(ticket, stream_id, "ticket", "ticket_id")


def shown(state: Ticket) -> dict[str, Any]:
    """A ticket as the API shows it, on its own and in the queue: every status shows the same
    fields (no agent until the first assignment, no resolver until the first resolution)."""
    return {"status": state.status, "assignee": None, "resolved_by": None} | dict(plain(state))


def present(state: Ticket) -> dict[str, Any]:
    return shown(state) | {"id": state.ticket_id}


TICKETS: tuple[Spec, ...] = (
    _ticket.opens(api.OPEN_TICKET, _open),
    _ticket(api.ASSIGN_TICKET, _assign),
    _ticket(api.START_TICKET_WORK, lambda c, _: t.StartWork(c.by, c.actor.role, c.at)),
    _ticket(
        api.RESOLVE_TICKET, lambda c, _: t.ResolveTicket(c.body.note, c.by, c.actor.role, c.at)
    ),
    _ticket(api.CLOSE_TICKET, lambda c, _: t.CloseTicket(c.by, c.at)),
    _ticket(api.REOPEN_TICKET, lambda c, _: t.ReopenTicket(c.body.reason, c.by, c.at)),
    _ticket(
        api.GIVE_TICKET_FEEDBACK,
        lambda c, _: t.GiveFeedback(c.body.kind, c.body.score, c.body.comment, c.at),
    ),
    _ticket(
        api.RECORD_SPARE_PART,
        lambda c, _: t.RecordSparePart(c.body.part, c.body.quantity, c.body.unit_price, c.by, c.at),
    ),
    _ticket(
        api.RECORD_SERVICE_CHARGE,
        lambda c, _: t.RecordServiceCharge(c.body.description, c.body.amount, c.by, c.at),
    ),
    _ticket.read(api.GET_TICKET, present),
)


# --- customers: care contacts and the desk's copy of grades --------------------------------------
def _log_care(call: Call, state: care.State) -> care.LogCareContact:
    """A first contact creates the account's care log; later ones need to see its branch."""
    body: api.CareContact = call.body
    branch = branch_for(call.actor, body.branch)
    if isinstance(state, care.CareLog) and not call.actor.sees(state.branch):
        raise NotFound("There is no such customer.")
    return care.LogCareContact(
        contact_id=call.new_id(),
        account_id=body.account_id,
        branch=branch,
        kind=body.kind,
        by=call.by,
        note=body.note,
        at=call.at,
        logged_at=call.at,
        ticket_id=body.ticket_id,
    )


def _graded(actor: Actor, state: grade.State) -> bool:
    """An ungraded customer is served as C: not missing, so it is told apart from one unseen."""
    if not isinstance(state, grade.Graded) or not actor.sees(state.branch):
        raise NotFound("No grade has reached the service desk for this customer.")
    return True


CUSTOMERS: tuple[Spec, ...] = (
    Write(
        api.LOG_CARE_CONTACT,
        care.care,
        care.stream_id,
        _log_care,
        "customer",
        record=lambda c: str(c.body.account_id),
        scoped=False,  # _log_care checks the branch: the first contact opens the log
    ),
    Read(api.GET_CARE_LOG, care.care, care.stream_id, "customer", "customer_id"),
    Read(
        api.GET_SERVICE_GRADE,
        grade.customer_grade,
        grade.stream_id,
        "customer",
        "customer_id",
        visible=_graded,
    ),
)


# --- the SLA policy: one company-wide record, changed by an admin, read by everyone ---------------
def _change_policy(call: Call, _: sla.SlaPolicy) -> sla.ChangeSlaPolicy:
    """Applies to tickets opened from now on; open tickets keep their deadlines."""
    body: api.SlaPolicy = call.body
    targets = tuple(SlaTarget(x.grade, x.ticket_type, x.hours) for x in body.targets)
    return sla.ChangeSlaPolicy(targets, body.near_breach_percent, call.at)


def _policy_stream(_: str) -> str:
    return sla.stream_id()


POLICY: tuple[Spec, ...] = (
    Write(
        api.CHANGE_SLA_POLICY,
        sla.sla_policy,
        _policy_stream,
        _change_policy,
        "SLA policy",
        record=lambda _: "company",
        scoped=False,
    ),
    # no path key: the one policy, defaults included, is everyone's to read
    Read(api.GET_SLA_POLICY, sla.sla_policy, _policy_stream, "SLA policy", "", visible=everyone),
)

COMMANDS: tuple[Spec, ...] = TICKETS + CUSTOMERS + POLICY
