"""The application layer and the desk's index, over an in-memory stand-in for the event store."""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from crm_events import Envelope, Metadata, NewEvent
from crm_events.leads import CustomerGradeChanged
from crm_events.service_desk import SlaTarget
from crm_platform.auth import Actor
from crm_platform.commands import Request
from crm_platform.domain import DomainError, NotFound
from crm_platform.eventstore import AppendResult, ConcurrencyError
from crm_service_desk.application import commands as tickets
from crm_service_desk.application.customers import (
    apply_grade_changed,
    get_care_log,
    log_care_contact,
)
from crm_service_desk.application.desk import check_sla, queue
from crm_service_desk.application.index import Index, catch_up
from crm_service_desk.application.settings import change_sla_policy

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
AGENT = Actor("ann", "service_agent", "SH01")
MANAGER = Actor("mia", "branch_manager", "SH01")
OTHER_BRANCH = Actor("bo", "service_agent", "BJ02")
ANALYST = Actor("hq", "hq_analyst", "HQ")
ADMIN = Actor("root", "admin", "HQ")


@dataclass
class MemoryStore:
    streams: dict[str, list[Envelope]] = field(default_factory=dict)
    log: list[Envelope] = field(default_factory=list)
    keys: dict[str, AppendResult] = field(default_factory=dict)

    async def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent],
        expected_version: int,
        idempotency_key: str | None = None,
    ) -> AppendResult:
        earlier = await self.idempotent_result(idempotency_key or "")
        if earlier is not None:
            return earlier
        stream = self.streams.setdefault(stream_id, [])
        if len(stream) != expected_version:
            raise ConcurrencyError(stream_id, expected_version, len(stream))
        for e in events:
            envelope = Envelope(
                e.event_id, e.type, e.schema_version, stream_id, len(stream) + 1,
                len(self.log) + 1, e.occurred_at, e.occurred_at, e.data, e.metadata,
            )  # fmt: skip
            stream.append(envelope)
            self.log.append(envelope)
        result = AppendResult(stream_id, len(stream), len(self.log))
        if idempotency_key is not None:
            self.keys[idempotency_key] = result
        return result

    async def read_stream(
        self, stream_id: str, *, up_to_version: int | None = None, as_of: datetime | None = None
    ) -> list[Envelope]:
        return list(self.streams.get(stream_id, []))

    async def read_all(self, after: int = 0, limit: int = 1000) -> list[Envelope]:
        return self.log[after : after + limit]

    async def idempotent_result(self, key: str) -> AppendResult | None:
        earlier = self.keys.get(key)
        return None if earlier is None else replace(earlier, replayed=True)

    async def close(self) -> None:
        pass


def req(actor: Actor, hours: float = 0, key: str | None = None) -> Request:
    return Request(actor, str(uuid4()), T0 + hours * H, idempotency_key=key)


async def open_for(store: MemoryStore, account: str, actor: Actor = AGENT, **extra: str) -> str:
    fields = {
        "account_id": account,
        "ticket_type": "repair",
        "channel": "phone",
        "severity": "normal",
        "subject": "Pump leaks",
        "description": "",
    }
    accepted = await tickets.open_ticket(store, req(actor), **{**fields, **extra})
    return accepted.id


async def grade(store: MemoryStore, account: str, value: str) -> None:
    event = CustomerGradeChanged(account, "SH01", value, None, "computed", T0 - H)
    cause = Metadata("leads-grader", "system", "HQ", "corr")
    await apply_grade_changed(store, event, event_id=uuid4(), cause=cause)


async def test_a_ticket_takes_the_desks_copy_of_the_grade_and_the_policy() -> None:
    store = MemoryStore()
    await grade(store, "a1", "A")
    await change_sla_policy(store, req(ADMIN), targets=(SlaTarget("A", "repair", 10),))
    t1 = await open_for(store, "a1")
    t2 = await open_for(store, "unknown")
    s1, _ = await tickets.get_ticket(store, AGENT, t1)
    s2, _ = await tickets.get_ticket(store, AGENT, t2)
    assert (s1.grade, s1.deadline) == ("A", T0 + 10 * H)
    assert (s2.grade, s2.deadline) == ("C", T0 + 120 * H)


async def test_the_grade_reaction_is_idempotent() -> None:
    store = MemoryStore()
    event = CustomerGradeChanged("a1", "SH01", "B", None, "computed", T0)
    cause = Metadata("leads", "system", "HQ", "corr")
    eid = uuid4()
    first = await apply_grade_changed(store, event, event_id=eid, cause=cause)
    again = await apply_grade_changed(store, event, event_id=eid, cause=cause)
    redelivered = await apply_grade_changed(store, event, event_id=uuid4(), cause=cause)
    assert first is not None and again is not None and redelivered is not None
    assert first.version == again.version == redelivered.version == 1
    assert store.log[0].metadata.causation_id == str(eid)
    odd = CustomerGradeChanged("a1", "SH01", "Z", "B", "computed", T0)
    assert await apply_grade_changed(store, odd, event_id=uuid4(), cause=cause) is None


async def test_only_an_admin_changes_the_sla_policy() -> None:
    with pytest.raises(DomainError, match="administrator"):
        await change_sla_policy(MemoryStore(), req(MANAGER), targets=())


async def test_other_branches_tickets_do_not_exist_for_branch_staff() -> None:
    store = MemoryStore()
    t1 = await open_for(store, "a1")
    with pytest.raises(NotFound):
        await tickets.get_ticket(store, OTHER_BRANCH, t1)
    with pytest.raises(NotFound):
        await tickets.assign_ticket(store, req(OTHER_BRANCH), t1, "bo")
    state, _ = await tickets.get_ticket(store, ANALYST, t1)
    assert state.ticket_id == t1


async def test_role_rules() -> None:
    store = MemoryStore()
    t1 = await open_for(store, "a1")
    with pytest.raises(DomainError, match="cannot open tickets"):
        await open_for(store, "a1", actor=ANALYST)
    with pytest.raises(DomainError, match="not hand it"):
        await tickets.assign_ticket(store, req(AGENT), t1, "bob")
    await tickets.assign_ticket(store, req(AGENT), t1, "ann")  # an agent takes it
    await tickets.assign_ticket(store, req(MANAGER), t1, "bob")  # the manager hands it on
    with pytest.raises(DomainError, match="Only the assigned agent"):
        await tickets.start_work(store, req(AGENT), t1)


async def test_a_whole_repair_through_the_application() -> None:
    store = MemoryStore()
    t1 = await open_for(store, "a1")
    await tickets.assign_ticket(store, req(AGENT, 1), t1, "ann")
    await tickets.start_work(store, req(AGENT, 2), t1)
    await tickets.record_spare_part(
        store, req(AGENT, 2), t1, part="seal", quantity=Decimal(2), unit_price=Decimal("9.50")
    )
    await tickets.record_service_charge(
        store, req(AGENT, 2), t1, description="Call-out", amount=Decimal(50)
    )
    await tickets.resolve_ticket(store, req(AGENT, 3), t1, "New seal")
    await tickets.give_feedback(store, req(AGENT, 4), t1, kind="praise", score=5, comment="")
    await tickets.close_ticket(store, req(MANAGER, 5), t1)
    state, version = await tickets.get_ticket(store, MANAGER, t1)
    assert (state.status, state.billed, version) == ("closed", Decimal("69.00"), 8)


async def test_an_idempotency_key_opens_one_ticket() -> None:
    store = MemoryStore()
    fields = dict(account_id="a1", ticket_type="inquiry", channel="web", severity="normal")
    first = await tickets.open_ticket(
        store, req(AGENT, key="k"), subject="s", description="", **fields
    )
    again = await tickets.open_ticket(
        store, req(AGENT, key="k"), subject="s", description="", **fields
    )
    assert first.id == again.id and len(store.log) == 1


async def test_care_contacts_are_logged_per_account_and_branch_scoped() -> None:
    store = MemoryStore()
    await log_care_contact(store, req(AGENT), account_id="a1", kind="courtesy_call", note="ok")
    await log_care_contact(store, req(AGENT, 1), account_id="a1", kind="follow_up", note="ok")
    log, version = await get_care_log(store, MANAGER, "a1")
    assert (len(log.contacts), version) == (2, 2)
    with pytest.raises(NotFound):
        await get_care_log(store, OTHER_BRANCH, "a1")
    with pytest.raises(NotFound):
        await log_care_contact(
            store, req(OTHER_BRANCH), account_id="a1", kind="follow_up", note="x"
        )


# --- the index, the SLA check and the queue ----------------------------------------------------
async def test_the_scheduled_check_flags_breaches_and_escalates_once() -> None:
    store = MemoryStore()
    await grade(store, "a1", "A")
    t1 = await open_for(store, "a1")  # A: 72 h, near at 57.6 h
    t2 = await open_for(store, "a2")  # C: 120 h
    index, done = await check_sla(store, T0 + 60 * H, Index())
    assert [a.id for a in done] == [t1]
    index, done = await check_sla(store, T0 + 61 * H, index)
    assert done == []  # the index saw the flag
    index, done = await check_sla(store, T0 + 100 * H, index)  # t1 breached, t2 near (96 h)
    assert sorted(a.id for a in done) == sorted([t1, t2])
    types = [e.type for e in store.log if e.stream_id == f"ticket-{t1}"]
    assert types == ["TicketOpened", "TicketSlaNearBreach", "TicketSlaBreached", "TicketEscalated"]
    index, done = await check_sla(store, T0 + 121 * H, index)
    assert [a.id for a in done] == [t2]
    index, done = await check_sla(store, T0 + 200 * H, index)
    assert done == []
    assert len(store.log) == 1 + 2 + 3 + 3


async def test_the_queue_is_branch_scoped_and_ordered_by_grade_then_deadline() -> None:
    store = MemoryStore()
    await grade(store, "gold", "A")
    c_urgent = await open_for(store, "plain", severity="urgent")  # C, 60 h
    a_normal = await open_for(store, "gold")  # A, 72 h
    c_normal = await open_for(store, "plain")  # C, 120 h
    elsewhere = await open_for(store, "far", actor=Actor("root", "admin", "HQ"), branch="BJ02")
    index = await catch_up(store, Index(), batch=2)
    assert [t.ticket_id for t in queue(index, AGENT)] == [a_normal, c_urgent, c_normal]
    assert len(queue(index, ANALYST)) == 4
    assert [t.ticket_id for t in queue(index, OTHER_BRANCH)] == [elsewhere]
    await tickets.assign_ticket(store, req(AGENT), c_normal, "ann")
    index = await catch_up(store, index)
    assert [t.ticket_id for t in queue(index, AGENT, assignee="ann")] == [c_normal]


async def test_resolved_tickets_leave_the_queue_and_closed_ones_come_back_when_reopened() -> None:
    store = MemoryStore()
    t1 = await open_for(store, "a1")
    await tickets.assign_ticket(store, req(AGENT), t1, "ann")
    await tickets.start_work(store, req(AGENT), t1)
    await tickets.resolve_ticket(store, req(AGENT), t1, "done")
    index = await catch_up(store, Index())
    assert queue(index, AGENT) == []
    await tickets.close_ticket(store, req(AGENT), t1)
    index = await catch_up(store, index)
    assert t1 not in index.tickets
    await tickets.reopen_ticket(store, req(AGENT, 1), t1, "leaks again")
    await tickets.record_spare_part(
        store, req(AGENT, 2), t1, part="seal", quantity=Decimal(1), unit_price=Decimal(5)
    )
    index = await catch_up(store, index, batch=1)
    [back] = queue(index, AGENT)
    assert (back.ticket_id, back.status, back.assignee, len(back.parts)) == (
        t1,
        "assigned",
        "ann",
        1,
    )
    assert index.to_reload == frozenset()
