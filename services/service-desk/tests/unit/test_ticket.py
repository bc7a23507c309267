from dataclasses import replace
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from crm_events.service_desk import (
    SlaTarget,
    SparePart,
    TicketAssigned,
    TicketClosed,
    TicketEscalated,
    TicketFeedbackGiven,
    TicketReopened,
    TicketResolved,
    TicketServiceCharged,
    TicketSlaBreached,
    TicketSlaNearBreach,
    TicketSparePartUsed,
    TicketWorkStarted,
)
from crm_platform.domain import DomainError
from crm_platform.testing import Spec
from crm_service_desk.domain.sla import SlaPolicy
from crm_service_desk.domain.ticket import (
    Assigned,
    AssignTicket,
    CheckSla,
    Closed,
    CloseTicket,
    GiveFeedback,
    InProgress,
    Open,
    OpenTicket,
    RecordServiceCharge,
    RecordSparePart,
    ReopenTicket,
    Resolved,
    ResolveTicket,
    StartWork,
    Ticket,
    ticket,
)
from hypothesis import given
from hypothesis import strategies as st

from .ticket_history import ASSIGNED, STARTED, T0, H, opened

spec = Spec(ticket)

OPEN = OpenTicket(
    "t1", "a1", "SH01", "repair", "phone", "normal", "Pump leaks", "Seal gone", "B", "sam", T0
)
OPENED = opened()
RESOLVED = TicketResolved("t1", "SH01", 1, "New seal", "ann", True, T0 + 3 * H)
CLOSED = TicketClosed("t1", "mia", T0 + 4 * H)
WORKING = (OPENED, ASSIGNED, STARTED)


def refused(command: object, *history: object) -> DomainError:
    with pytest.raises(DomainError) as caught:
        spec.given(*history).when(command)
    return caught.value


# --- opening and the SLA ------------------------------------------------------------------------
def test_opening_fixes_the_deadline_from_the_grade() -> None:
    spec.then(OPEN, [OPENED])


@pytest.mark.parametrize(("grade", "hours"), [("A", 72), ("B", 96), ("C", 120)])
def test_default_sla_per_grade(grade: str, hours: int) -> None:
    [opened] = spec.when(replace(OPEN, grade=grade))
    assert opened.deadline - T0 == hours * H


@pytest.mark.parametrize("grade", [None, "", "D", "a"])
def test_a_customer_without_a_known_grade_is_served_as_c(grade: str | None) -> None:
    [opened] = spec.when(replace(OPEN, grade=grade))
    assert (opened.grade, opened.deadline) == ("C", T0 + 120 * H)


def test_urgent_halves_the_sla() -> None:
    [opened] = spec.when(replace(OPEN, grade="A", severity="urgent"))
    assert (opened.sla_hours, opened.deadline) == (Decimal(36), T0 + 36 * H)


def test_the_policy_in_the_command_sets_the_sla_per_grade_and_type() -> None:
    policy = SlaPolicy(
        (SlaTarget("B", None, 48), SlaTarget("B", "repair", 24)), near_breach_percent=Decimal(50)
    )
    [repair] = spec.when(replace(OPEN, policy=policy))
    [inquiry] = spec.when(replace(OPEN, ticket_type="inquiry", policy=policy))
    assert (repair.deadline, repair.near_breach_at) == (T0 + 24 * H, T0 + 12 * H)
    assert inquiry.deadline == T0 + 48 * H


def test_a_ticket_opens_once() -> None:
    assert "already been opened" in refused(OPEN, OPENED).message


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ticket_type": "question"}, "ticket_type"),
        ({"channel": "fax"}, "channel"),
        ({"severity": "high"}, "severity"),
        ({"subject": "  "}, "subject"),
        ({"account_id": ""}, "account_id"),
    ],
)
def test_bad_input_is_refused_naming_the_field(change: dict[str, str], field: str) -> None:
    assert refused(replace(OPEN, **change)).field == field  # type: ignore[arg-type]


# --- lifecycle ----------------------------------------------------------------------------------
def test_each_status_is_its_own_type_and_keeps_what_the_ticket_gathered() -> None:
    history = [OPENED, ASSIGNED, STARTED, RESOLVED, CLOSED]
    states = [ticket.fold(history[: n + 1]) for n in range(len(history))]
    assert [type(s) for s in states] == [Open, Assigned, InProgress, Resolved, Closed]
    assert [getattr(s, "status", None) for s in states] == [
        "open",
        "assigned",
        "in_progress",
        "resolved",
        "closed",
    ]
    closed = states[-1]
    assert isinstance(closed, Closed)
    assert (closed.assignee, closed.resolved_by, closed.resolution, closed.deadline) == (
        "ann",
        "ann",
        1,
        T0 + 96 * H,
    )


def test_assigning_records_the_old_and_new_agent() -> None:
    spec.given(OPENED).then(AssignTicket("ann", "mia", T0 + H), [ASSIGNED])
    spec.given(*WORKING).then(
        AssignTicket("bob", "mia", T0 + 5 * H),
        [TicketAssigned("t1", "ann", "bob", "mia", T0 + 5 * H)],
    )


def test_reassigning_keeps_work_in_progress() -> None:
    state = ticket.fold([*WORKING, TicketAssigned("t1", "ann", "bob", "mia", T0 + 5 * H)])
    assert isinstance(state, InProgress)
    assert (state.status, state.assignee) == ("in_progress", "bob")


def test_assigning_to_the_same_agent_or_nobody_is_refused() -> None:
    assert refused(AssignTicket("ann", "mia", T0), OPENED, ASSIGNED).field == "agent_id"
    assert refused(AssignTicket(" ", "mia", T0), OPENED).field == "agent_id"


def test_a_resolved_ticket_is_not_assigned() -> None:
    assert "reopen it first" in refused(AssignTicket("bob", "mia", T0), *WORKING, RESOLVED).message


def test_work_starts_by_the_assignee_or_the_manager() -> None:
    spec.given(OPENED, ASSIGNED).then(StartWork("ann", "service_agent", T0 + 2 * H), [STARTED])
    spec.given(OPENED, ASSIGNED).then(
        StartWork("mia", "branch_manager", T0 + 2 * H),
        [TicketWorkStarted("t1", "mia", T0 + 2 * H)],
    )
    assert (
        "Only the assigned agent"
        in refused(StartWork("bob", "service_agent", T0), OPENED, ASSIGNED).message
    )


def test_work_needs_an_assignee_and_starts_once() -> None:
    assert "Assign the ticket" in refused(StartWork("ann", "service_agent", T0), OPENED).message
    assert "already started" in refused(StartWork("ann", "service_agent", T0), *WORKING).message


def test_resolving_counts_resolutions_and_tells_whether_within_sla() -> None:
    spec.given(*WORKING).then(
        ResolveTicket("New seal", "ann", "service_agent", T0 + 3 * H), [RESOLVED]
    )
    late = T0 + 97 * H
    [resolved] = spec.given(*WORKING).when(ResolveTicket("Seal", "ann", "service_agent", late))
    assert (resolved.resolution, resolved.within_sla) == (1, False)


def test_resolving_needs_work_in_progress_a_note_and_the_right_person() -> None:
    resolve = ResolveTicket("Done", "ann", "service_agent", T0)
    assert "Start work" in refused(resolve, OPENED, ASSIGNED).message
    assert refused(replace(resolve, note=" "), *WORKING).field == "note"
    assert "Only the assigned agent" in refused(replace(resolve, by="bob"), *WORKING).message


def test_only_a_resolved_ticket_closes() -> None:
    spec.given(*WORKING, RESOLVED).then(CloseTicket("mia", T0 + 4 * H), [CLOSED])
    assert "Only a resolved" in refused(CloseTicket("mia", T0), *WORKING).message
    assert "already closed" in refused(CloseTicket("mia", T0), *WORKING, RESOLVED, CLOSED).message


@pytest.mark.parametrize("last", ["resolved", "closed"])
def test_reopening_returns_to_the_agent_under_the_same_deadline(last: str) -> None:
    history = (*WORKING, RESOLVED) if last == "resolved" else (*WORKING, RESOLVED, CLOSED)
    at = T0 + 200 * H
    reopened = TicketReopened("t1", last, "Leaks again", "ann", T0 + 96 * H, "sam", at)
    spec.given(*history).then(ReopenTicket("Leaks again", "sam", at), [reopened])
    state = ticket.fold([*history, reopened])
    assert isinstance(state, Assigned)
    assert (state.status, state.assignee, state.deadline) == ("assigned", "ann", T0 + 96 * H)


def test_reopening_needs_a_resolved_ticket_and_a_reason() -> None:
    assert "Only a resolved or closed" in refused(ReopenTicket("x", "sam", T0), *WORKING).message
    assert refused(ReopenTicket("", "sam", T0), *WORKING, RESOLVED).field == "reason"


def test_commands_need_a_ticket() -> None:
    assert "no such ticket" in refused(AssignTicket("ann", "mia", T0)).message
    assert "no such ticket" in refused(CloseTicket("mia", T0)).message


# --- feedback -----------------------------------------------------------------------------------
def test_feedback_once_per_resolution_credited_to_the_resolver() -> None:
    at = T0 + 5 * H
    praise = TicketFeedbackGiven("t1", "SH01", 1, "praise", 5, "Quick", "ann", at)
    spec.given(*WORKING, RESOLVED).then(GiveFeedback("praise", 5, "Quick", at), [praise])
    again = refused(GiveFeedback("complaint", 1, "", at), *WORKING, RESOLVED, CLOSED, praise)
    assert "already given feedback" in again.message


def test_after_a_reopen_the_next_resolution_may_be_judged_again() -> None:
    praise = TicketFeedbackGiven("t1", "SH01", 1, "praise", 5, "", "ann", T0)
    reopened = TicketReopened("t1", "resolved", "Again", "ann", T0 + 96 * H, "sam", T0)
    second = TicketResolved("t1", "SH01", 2, "Pump replaced", "bob", True, T0)
    history = (*WORKING, RESOLVED, praise, reopened, STARTED, second)
    [feedback] = spec.given(*history).when(GiveFeedback("complaint", 2, "Slow", T0))
    assert (feedback.resolution, feedback.agent_id, feedback.kind) == (2, "bob", "complaint")


def test_feedback_waits_for_a_resolution() -> None:
    assert (
        "once the ticket is resolved"
        in refused(GiveFeedback("praise", 5, "", T0), *WORKING).message
    )


@pytest.mark.parametrize(
    ("kind", "score", "field"),
    [("thanks", 5, "kind"), ("praise", 0, "score"), ("praise", 6, "score")],
)
def test_feedback_kind_and_score_are_checked(kind: str, score: int, field: str) -> None:
    assert refused(GiveFeedback(kind, score, "", T0), *WORKING, RESOLVED).field == field


# --- repair: spare parts and service charges ----------------------------------------------------
def test_a_spare_part_is_priced_exactly() -> None:
    part = SparePart("seal kit", Decimal("3"), Decimal("19.99"), Decimal("59.97"))
    spec.given(*WORKING).then(
        RecordSparePart("seal kit", Decimal("3"), Decimal("19.99"), "ann", T0),
        [TicketSparePartUsed("t1", part, "ann", T0)],
    )


def test_a_service_charge_is_recorded() -> None:
    spec.given(*WORKING).then(
        RecordServiceCharge("Call-out", Decimal("120.00"), "ann", T0),
        [TicketServiceCharged("t1", "Call-out", Decimal("120.00"), "ann", T0)],
    )


def test_other_ticket_types_refuse_parts_and_charges() -> None:
    inquiry = replace(OPENED, ticket_type="inquiry")
    part = RecordSparePart("seal", Decimal(1), Decimal(1), "ann", T0)
    charge = RecordServiceCharge("Call-out", Decimal(10), "ann", T0)
    assert refused(part, inquiry).field == "part"
    assert refused(charge, inquiry).field == "amount"


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (RecordSparePart(" ", Decimal(1), Decimal(1), "ann", T0), "part"),
        (RecordSparePart("seal", Decimal(0), Decimal(1), "ann", T0), "quantity"),
        (RecordSparePart("seal", Decimal(1), Decimal(-1), "ann", T0), "unit_price"),
        (RecordServiceCharge("Call-out", Decimal(0), "ann", T0), "amount"),
        (RecordServiceCharge("Call-out", Decimal("1.001"), "ann", T0), "amount"),
        (RecordServiceCharge(" ", Decimal(1), "ann", T0), "description"),
    ],
)
def test_parts_and_charges_are_checked(command: object, field: str) -> None:
    assert refused(command, *WORKING).field == field


def test_a_closed_ticket_takes_no_parts() -> None:
    part = RecordSparePart("seal", Decimal(1), Decimal(1), "ann", T0)
    assert "closed" in refused(part, *WORKING, RESOLVED, CLOSED).message


@given(
    st.lists(
        st.tuples(
            st.decimals(min_value=Decimal("0.001"), max_value=Decimal(1000), places=3),
            st.decimals(min_value=0, max_value=Decimal(10000), places=2),
        ),
        max_size=5,
    ),
    st.lists(
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10000), places=2), max_size=3
    ),
)
def test_the_bill_is_the_exact_sum_of_parts_and_charges(
    parts: list[tuple[Decimal, Decimal]], charges: list[Decimal]
) -> None:
    state = ticket.fold(list(WORKING))
    for quantity, price in parts:
        [e] = ticket.decide(RecordSparePart("p", quantity, price, "ann", T0), state)
        assert isinstance(e, TicketSparePartUsed)
        assert abs(e.part.amount - quantity * price) <= Decimal("0.005")
        state = ticket.evolve(state, e)
    for amount in charges:
        [e] = ticket.decide(RecordServiceCharge("c", amount, "ann", T0), state)
        state = ticket.evolve(state, e)
    assert isinstance(state, Ticket)
    cents = Decimal("0.01")
    expected = sum(((q * p).quantize(cents, ROUND_HALF_UP) for q, p in parts), Decimal(0))
    assert state.billed == expected + sum(charges, Decimal(0))
    assert state.billed == state.billed.quantize(cents)


# --- the scheduled SLA check --------------------------------------------------------------------
NEAR = TicketSlaNearBreach("t1", "SH01", T0 + 96 * H, T0 + 80 * H)


def test_nothing_to_say_before_the_near_breach_moment() -> None:
    spec.given(*WORKING).then(CheckSla(T0 + 76 * H), [])


def test_near_breach_is_flagged_once() -> None:
    spec.given(*WORKING).then(CheckSla(T0 + 80 * H), [NEAR])
    spec.given(*WORKING, NEAR).then(CheckSla(T0 + 90 * H), [])


def test_past_the_deadline_it_is_breached_and_escalated_to_the_branch_manager_once() -> None:
    at = T0 + 97 * H
    breach = [
        TicketSlaBreached("t1", "SH01", "B", "ann", T0 + 96 * H, at),
        TicketEscalated("t1", "SH01", "branch_manager", "sla_breached", at),
    ]
    spec.given(*WORKING, NEAR).then(CheckSla(at), breach)
    spec.given(*WORKING).then(CheckSla(at), breach)  # a late check reports the breach only
    spec.given(*WORKING, *breach).then(CheckSla(at + H), [])


def test_the_deadline_itself_is_not_yet_a_breach() -> None:
    spec.given(*WORKING, NEAR).then(CheckSla(T0 + 96 * H), [])


def test_resolved_and_closed_tickets_are_not_checked() -> None:
    spec.given(*WORKING, RESOLVED).then(CheckSla(T0 + 200 * H), [])
    spec.given(*WORKING, RESOLVED, CLOSED).then(CheckSla(T0 + 200 * H), [])
    spec.then(CheckSla(T0), [])


def test_a_ticket_reopened_past_its_deadline_is_breached_at_the_next_check() -> None:
    reopened = TicketReopened("t1", "resolved", "Again", "ann", T0 + 96 * H, "sam", T0 + 100 * H)
    [breached, _] = spec.given(*WORKING, RESOLVED, reopened).when(CheckSla(T0 + 101 * H))
    assert isinstance(breached, TicketSlaBreached)


@given(st.lists(st.integers(min_value=0, max_value=300), max_size=12))
def test_checks_never_flag_twice_and_never_breach_early(hours: list[int]) -> None:
    state = ticket.fold(list(WORKING))
    emitted: list[object] = []
    for h in sorted(hours):
        events = ticket.decide(CheckSla(T0 + h * H), state)
        for e in events:
            assert not isinstance(e, TicketSlaBreached) or e.at > e.deadline
            assert not isinstance(e, TicketSlaNearBreach) or e.at >= T0 + timedelta(hours=76.8)
            state = ticket.evolve(state, e)
        emitted += events
    assert sum(isinstance(e, TicketSlaNearBreach) for e in emitted) <= 1
    assert sum(isinstance(e, TicketSlaBreached) for e in emitted) == (max(hours, default=0) > 96)
