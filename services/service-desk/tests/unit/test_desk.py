"""The command table, the grade reaction, the SLA check and the queue's lookup, driven as their
routes and workers drive them, over an in-memory stand-in for the event store."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from crm_api import Route
from crm_api import service_desk as api
from crm_events import Metadata
from crm_events.leads import CustomerGradeChanged
from crm_events.service_desk import CONTEXT
from crm_platform.auth import Actor
from crm_platform.commands import Accepted, Request
from crm_platform.domain import DomainError, NotFound
from crm_platform.testing import MemoryStore, Table, request
from crm_service_desk.checks import check_sla
from crm_service_desk.commands import COMMANDS
from crm_service_desk.domain.queue import in_queue_order
from crm_service_desk.domain.ticket import Assigned
from crm_service_desk.queue import unresolved
from crm_service_desk.reactions import record_grade

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
AGENT = Actor("ann", "service_agent", "SH01")
MANAGER = Actor("mia", "branch_manager", "SH01")
OTHER_BRANCH = Actor("bo", "service_agent", "BJ02")
ANALYST = Actor("hq", "hq_analyst", "HQ")
ADMIN = Actor("root", "admin", "HQ")
TABLE = Table.of(CONTEXT, COMMANDS)


def req(actor: Actor, hours: float = 0, key: str | None = None) -> Request:
    return request(actor, T0 + hours * H, key)


async def do(
    store: MemoryStore,
    route: Route,
    actor: Actor,
    ticket: str | None = None,
    body: Any = None,
    *,
    hours: float = 0,
    key: str | None = None,
) -> Accepted:
    """One command, run through the table as its route runs it (the roles are the route's)."""
    path = {"ticket_id": ticket} if ticket else None
    return await TABLE.command(store, route, req(actor, hours, key), path, body)


async def show(store: MemoryStore, route: Route, actor: Actor, **path: str) -> dict[str, Any]:
    body, version = await TABLE.read(store, route, req(actor), path)
    return body | {"version": version}


async def open_for(store: MemoryStore, account: str, actor: Actor = AGENT, **extra: str) -> str:
    fields = {"account_id": account, "ticket_type": "repair", "channel": "phone", "subject": "Leak"}
    body = api.OpenTicket.model_validate(fields | extra)
    return (await do(store, api.OPEN_TICKET, actor, body=body)).id


async def grade(store: MemoryStore, account: str, value: str) -> None:
    event = CustomerGradeChanged(account, "SH01", value, None, "computed", T0 - H)
    cause = Metadata("leads-grader", "system", "HQ", "corr")
    await record_grade(store, event, event_id=uuid4(), cause=cause)


def part(quantity: int, price: str) -> api.SparePart:
    return api.SparePart(part="seal", quantity=Decimal(quantity), unit_price=Decimal(price))


async def test_a_ticket_takes_the_desks_copy_of_the_grade_and_the_policy() -> None:
    store = MemoryStore()
    await grade(store, "a1", "A")
    policy = api.SlaPolicy(targets=[api.Target(grade="A", ticket_type="repair", hours=10)])
    await do(store, api.CHANGE_SLA_POLICY, ADMIN, body=policy)
    t1 = await open_for(store, "a1")
    t2 = await open_for(store, "unknown")
    s1 = await show(store, api.GET_TICKET, AGENT, ticket_id=t1)
    s2 = await show(store, api.GET_TICKET, AGENT, ticket_id=t2)
    assert (s1["id"], s1["grade"], s1["deadline"]) == (t1, "A", (T0 + 10 * H).isoformat())
    assert (s2["grade"], s2["deadline"]) == ("C", (T0 + 120 * H).isoformat())
    shown = await show(store, api.GET_SLA_POLICY, OTHER_BRANCH)
    assert shown["targets"][0]["hours"] == 10 and shown["version"] == 1


async def test_the_grade_reaction_is_idempotent() -> None:
    store = MemoryStore()
    event = CustomerGradeChanged("a1", "SH01", "B", None, "computed", T0)
    cause = Metadata("leads", "system", "HQ", "corr")
    eid = uuid4()
    first = await record_grade(store, event, event_id=eid, cause=cause)
    again = await record_grade(store, event, event_id=eid, cause=cause)
    redelivered = await record_grade(store, event, event_id=uuid4(), cause=cause)
    assert first is not None and again is not None and redelivered is not None
    assert first.version == again.version == redelivered.version == 1
    assert store.log[0].metadata.causation_id == str(eid)
    odd = CustomerGradeChanged("a1", "SH01", "Z", "B", "computed", T0)
    assert await record_grade(store, odd, event_id=uuid4(), cause=cause) is None


async def test_a_grade_is_read_by_its_branch_and_an_ungraded_customer_is_not_found() -> None:
    store = MemoryStore()
    await grade(store, "a1", "B")
    assert (await show(store, api.GET_SERVICE_GRADE, AGENT, customer_id="a1"))["grade"] == "B"
    for actor, customer in ((OTHER_BRANCH, "a1"), (AGENT, "a2")):
        with pytest.raises(NotFound, match="No grade has reached"):
            await show(store, api.GET_SERVICE_GRADE, actor, customer_id=customer)


def test_the_roles_are_the_route_tables() -> None:
    assert TABLE.specs[api.CHANGE_SLA_POLICY].route.roles == {"admin"}
    assert "hq_analyst" not in TABLE.specs[api.OPEN_TICKET].route.roles
    assert "sales_rep" in TABLE.specs[api.REOPEN_TICKET].route.roles
    assert "sales_rep" not in TABLE.specs[api.ASSIGN_TICKET].route.roles


async def test_other_branches_tickets_do_not_exist_for_branch_staff() -> None:
    store = MemoryStore()
    t1 = await open_for(store, "a1")
    with pytest.raises(NotFound, match="no such ticket"):
        await show(store, api.GET_TICKET, OTHER_BRANCH, ticket_id=t1)
    with pytest.raises(NotFound, match="no such ticket"):  # before the rule on whom to assign
        await do(store, api.ASSIGN_TICKET, OTHER_BRANCH, t1, api.Assign(agent_id="ann"))
    with pytest.raises(NotFound, match="no such ticket"):
        await do(store, api.START_TICKET_WORK, AGENT, str(uuid4()))
    assert (await show(store, api.GET_TICKET, ANALYST, ticket_id=t1))["ticket_id"] == t1


async def test_an_agent_takes_a_ticket_and_the_manager_hands_it_on() -> None:
    store = MemoryStore()
    t1 = await open_for(store, "a1")
    with pytest.raises(DomainError, match="not hand it"):
        await do(store, api.ASSIGN_TICKET, AGENT, t1, api.Assign(agent_id="bob"))
    await do(store, api.ASSIGN_TICKET, AGENT, t1, api.Assign(agent_id="ann"))
    await do(store, api.ASSIGN_TICKET, MANAGER, t1, api.Assign(agent_id="bob"))
    with pytest.raises(DomainError, match="Only the assigned agent"):
        await do(store, api.START_TICKET_WORK, AGENT, t1)


async def test_a_whole_repair_through_the_table() -> None:
    store = MemoryStore()
    t1 = await open_for(store, "a1")
    await do(store, api.ASSIGN_TICKET, AGENT, t1, api.Assign(agent_id="ann"), hours=1)
    await do(store, api.START_TICKET_WORK, AGENT, t1, hours=2)
    await do(store, api.RECORD_SPARE_PART, AGENT, t1, part(2, "9.50"), hours=2)
    charge = api.Charge(description="Call-out", amount=Decimal(50))
    await do(store, api.RECORD_SERVICE_CHARGE, AGENT, t1, charge, hours=2)
    await do(store, api.RESOLVE_TICKET, AGENT, t1, api.Note(note="New seal"), hours=3)
    verdict = api.Feedback(kind="praise", score=5)
    await do(store, api.GIVE_TICKET_FEEDBACK, AGENT, t1, verdict, hours=4)
    closed = await do(store, api.CLOSE_TICKET, MANAGER, t1, hours=5)
    shown = await show(store, api.GET_TICKET, MANAGER, ticket_id=t1)
    assert (shown["status"], shown["charges"], len(shown["parts"])) == ("closed", 50.0, 1)
    assert shown["version"] == closed.version == 8


RECORD = {
    *("id", "version", "ticket_id", "account_id", "branch", "ticket_type", "severity", "grade"),
    *("opened_at", "deadline", "near_breach_at", "product", "contract_id", "status", "assignee"),
    *("resolution", "resolved_by", "feedback_for", "parts", "charges", "near_breach_flagged"),
    *("breached", "escalated"),
}


async def test_the_record_shows_the_same_fields_in_every_status() -> None:
    store = MemoryStore()
    t1 = await open_for(store, "a1")
    opened = await show(store, api.GET_TICKET, MANAGER, ticket_id=t1)
    assert (opened["status"], opened["assignee"], opened["resolved_by"]) == ("open", None, None)
    await do(store, api.ASSIGN_TICKET, AGENT, t1, api.Assign(agent_id="ann"), hours=1)
    await do(store, api.START_TICKET_WORK, AGENT, t1, hours=2)
    await do(store, api.RESOLVE_TICKET, AGENT, t1, api.Note(note="New seal"), hours=3)
    reason = api.TicketReason(reason="leaks again")
    await do(store, api.REOPEN_TICKET, MANAGER, t1, reason, hours=4)
    reopened = await show(store, api.GET_TICKET, MANAGER, ticket_id=t1)
    assert (reopened["status"], reopened["assignee"], reopened["resolved_by"]) == (
        "assigned",
        "ann",
        "ann",  # the last resolution's agent, kept on reopening
    )
    assert (reopened["resolution"], reopened["id"]) == (1, t1)
    assert set(opened) == set(reopened) == RECORD


async def test_an_idempotency_key_opens_one_ticket() -> None:
    store = MemoryStore()
    body = api.OpenTicket(account_id="a1", ticket_type="inquiry", channel="web", subject="s")
    first = await do(store, api.OPEN_TICKET, AGENT, body=body, key="k")
    again = await do(store, api.OPEN_TICKET, AGENT, body=body, key="k")
    assert first.id == again.id and len(store.log) == 1


async def test_care_contacts_are_logged_per_account_and_branch_scoped() -> None:
    store = MemoryStore()
    call = api.CareContact(account_id="a1", kind="courtesy_call", note="ok")
    first = await do(store, api.LOG_CARE_CONTACT, AGENT, body=call)
    await do(store, api.LOG_CARE_CONTACT, AGENT, body=call, hours=1)
    shown = await show(store, api.GET_CARE_LOG, MANAGER, customer_id="a1")
    assert (first.id, shown["account_id"], len(shown["contacts"]), shown["version"]) == (
        "a1",
        "a1",
        2,
        2,
    )
    with pytest.raises(NotFound, match="no such customer"):
        await show(store, api.GET_CARE_LOG, OTHER_BRANCH, customer_id="a1")
    with pytest.raises(NotFound, match="no such customer"):
        await do(store, api.LOG_CARE_CONTACT, OTHER_BRANCH, body=call)
    with pytest.raises(DomainError, match="HQ staff"):
        await do(store, api.LOG_CARE_CONTACT, ADMIN, body=call)


# --- the SLA check and the queue's lookup --------------------------------------------------------
async def test_the_scheduled_check_flags_breaches_and_escalates_once() -> None:
    store = MemoryStore()
    await grade(store, "a1", "A")
    t1 = await open_for(store, "a1")  # A: 72 h, near at 57.6 h
    t2 = await open_for(store, "a2")  # C: 120 h
    done = await check_sla(store, T0 + 60 * H)
    assert [a.id for a in done] == [t1]
    assert await check_sla(store, T0 + 61 * H) == []
    done = await check_sla(store, T0 + 100 * H)
    assert sorted(a.id for a in done) == sorted([t1, t2])  # t1 breached, t2 near (96 h)
    types = [e.type for e in store.log if e.stream_id == f"ticket-{t1}"]
    assert types == ["TicketOpened", "TicketSlaNearBreach", "TicketSlaBreached", "TicketEscalated"]
    assert [a.id for a in await check_sla(store, T0 + 121 * H)] == [t2]
    assert await check_sla(store, T0 + 200 * H) == []
    assert len(store.log) == 1 + 2 + 3 + 3


async def test_the_queue_is_branch_scoped_and_ordered_by_grade_then_deadline() -> None:
    store = MemoryStore()
    await grade(store, "gold", "A")
    c_urgent = await open_for(store, "plain", severity="urgent")  # C, 60 h
    a_normal = await open_for(store, "gold")  # A, 72 h
    c_normal = await open_for(store, "plain")  # C, 120 h
    elsewhere = await open_for(store, "far", actor=ADMIN, branch="BJ02")

    async def queue(branch: str | None = None) -> list[str]:
        return [t.ticket_id for t in in_queue_order(await unresolved(store, branch))]

    assert await queue("SH01") == [a_normal, c_urgent, c_normal]
    assert len(await queue()) == 4
    assert await queue("BJ02") == [elsewhere]


async def test_resolved_tickets_leave_the_queue_and_come_back_when_reopened() -> None:
    store = MemoryStore()
    t1 = await open_for(store, "a1")
    await do(store, api.ASSIGN_TICKET, AGENT, t1, api.Assign(agent_id="ann"))
    await do(store, api.START_TICKET_WORK, AGENT, t1)
    await do(store, api.RESOLVE_TICKET, AGENT, t1, api.Note(note="done"))
    assert await unresolved(store) == []
    await do(store, api.CLOSE_TICKET, AGENT, t1)
    reason = api.TicketReason(reason="leaks again")
    await do(store, api.REOPEN_TICKET, AGENT, t1, reason, hours=1)
    await do(store, api.RECORD_SPARE_PART, AGENT, t1, part(1, "5"), hours=2)
    [back] = await unresolved(store)
    assert isinstance(back, Assigned)
    assert (back.ticket_id, back.status, back.assignee, len(back.parts)) == (
        t1,
        "assigned",
        "ann",
        1,
    )
