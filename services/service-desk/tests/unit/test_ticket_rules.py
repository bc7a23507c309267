"""The edges of the ticket's rules: exact SLA moments, who may act, money to the cent, refusals that
name the field, and what a ticket's history folds into, field by field."""

import re
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal

import pytest
from crm_events.service_desk import (
    SparePart,
    TicketEscalated,
    TicketFeedbackGiven,
    TicketResolved,
    TicketSlaBreached,
    TicketSlaNearBreach,
    TicketSparePartUsed,
)
from crm_platform.testing import Spec
from crm_service_desk.domain.ticket import (
    CheckSla,
    GiveFeedback,
    Nothing,
    Open,
    OpenTicket,
    RecordServiceCharge,
    RecordSparePart,
    ResolveTicket,
    StartWork,
    ticket,
)

from .ticket_history import ASSIGNED, STARTED, T0, H, opened

D = Decimal
spec = Spec(ticket)

OPEN = OpenTicket(
    "t1", "a1", "SH01", "repair", "phone", "normal", "Pump leaks", "Seal gone", "B", "sam", T0,
    product="Pump P-200", contract_id="k1",
)  # fmt: skip
DEADLINE = T0 + 96 * H  # grade B: 4 days
NEAR = T0 + timedelta(hours=76, minutes=48)  # 80 % of 96 hours
OPENED = opened(product="Pump P-200", contract_id="k1")
WORKING = (OPENED, ASSIGNED, STARTED)
RESOLVED = (*WORKING, TicketResolved("t1", "SH01", 1, "New seal", "ann", True, T0 + 3 * H))


def whole(message: str) -> str:
    return f"^{re.escape(message)}$"


def test_a_ticket_opened_for_a_product_under_a_contract_carries_both() -> None:
    spec.then(OPEN, [OPENED])


def test_an_opened_ticket_holds_its_customer_sla_and_what_it_is_about() -> None:
    assert spec.given(OPENED).state() == Open(
        ticket_id="t1",
        account_id="a1",
        branch="SH01",
        ticket_type="repair",
        severity="normal",
        grade="B",
        opened_at=T0,
        deadline=DEADLINE,
        near_breach_at=NEAR,
        product="Pump P-200",
        contract_id="k1",
    )


def test_an_unknown_ticket_type_is_refused_listing_the_types() -> None:
    spec.refuses(
        replace(OPEN, ticket_type="praise"),
        field="ticket_type",
        match=whole("A ticket type is one of complaint, inquiry, repair, service_request."),
    )


# --- the SLA clock ------------------------------------------------------------------------------
def test_the_near_breach_moment_itself_is_flagged() -> None:
    spec.given(*WORKING).then(CheckSla(NEAR), [TicketSlaNearBreach("t1", "SH01", DEADLINE, NEAR)])
    spec.given(*WORKING).then(CheckSla(NEAR - timedelta(microseconds=1)), [])


def test_resolving_at_the_deadline_itself_is_within_the_sla() -> None:
    on_time = ResolveTicket("New seal", "ann", "service_agent", DEADLINE)
    spec.given(*WORKING).then(
        on_time, [TicketResolved("t1", "SH01", 1, "New seal", "ann", True, DEADLINE)]
    )
    late = replace(on_time, at=DEADLINE + timedelta(microseconds=1))
    [resolved] = spec.given(*WORKING).when(late)
    assert isinstance(resolved, TicketResolved) and not resolved.within_sla


def test_a_breach_and_its_escalation_are_kept_on_the_ticket() -> None:
    breached = TicketSlaBreached("t1", "SH01", "B", "ann", DEADLINE, DEADLINE + H)
    escalated = TicketEscalated("t1", "SH01", "branch_manager", "sla_breached", DEADLINE + H)
    state = spec.given(*WORKING, breached, escalated).state()
    assert (state.breached, state.escalated) == (True, True)
    assert spec.given(*WORKING, breached).state().escalated is False


# --- who may act --------------------------------------------------------------------------------
def test_another_agent_is_told_who_may_start_or_resolve() -> None:
    assigned = WORKING[:2]
    spec.given(*assigned).refuses(
        StartWork("bo", "service_agent", T0 + 2 * H),
        match=whole("Only the assigned agent or the branch manager can start work on it."),
    )
    spec.given(*WORKING).refuses(
        ResolveTicket("Done", "bo", "service_agent", T0 + 3 * H),
        match=whole("Only the assigned agent or the branch manager can resolve it."),
    )


def test_the_branch_manager_resolves_a_ticket_assigned_to_someone_else() -> None:
    spec.given(*WORKING).then(
        ResolveTicket("Replaced seal", "mia", "branch_manager", T0 + 3 * H),
        [TicketResolved("t1", "SH01", 1, "Replaced seal", "mia", True, T0 + 3 * H)],
    )


# --- feedback and money -------------------------------------------------------------------------
@pytest.mark.parametrize("score", [1, 2, 5])
def test_every_score_from_one_to_five_is_taken(score: int) -> None:
    spec.given(*RESOLVED).then(
        GiveFeedback("complaint", score, "Slow", T0 + 4 * H),
        [TicketFeedbackGiven("t1", "SH01", 1, "complaint", score, "Slow", "ann", T0 + 4 * H)],
    )


def test_a_part_is_priced_to_the_cent_rounding_half_up() -> None:
    spec.given(*WORKING).then(
        RecordSparePart("Washer", D(1), D("0.125"), "ann", T0 + 3 * H),
        [
            TicketSparePartUsed(
                "t1", SparePart("Washer", D(1), D("0.125"), D("0.13")), "ann", T0 + 3 * H
            )
        ],
    )


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (RecordSparePart("Seal", D(1), D("10.00"), "ann", T0), "part"),
        (RecordServiceCharge("Call-out", D("50.00"), "ann", T0), "amount"),
    ],
)
def test_parts_and_charges_on_another_type_are_refused_saying_why(
    command: object, field: str
) -> None:
    spec.given(replace(OPENED, ticket_type="inquiry")).refuses(
        command,
        field=field,
        match=whole("Parts and service charges are recorded on repair tickets only."),
    )


# --- programming errors -------------------------------------------------------------------------
@dataclass(frozen=True)
class Stray:
    """Neither a command nor an event of the ticket."""


def test_only_an_opening_starts_a_ticket() -> None:
    with pytest.raises(AssertionError, match="TicketAssigned needs an opened ticket"):
        ticket.evolve(Nothing(), WORKING[1])


def test_an_unknown_event_or_command_is_a_programming_error_that_names_itself() -> None:
    state = spec.given(OPENED).state()
    with pytest.raises(AssertionError, match="Stray"):
        ticket.evolve(state, Stray())  # type: ignore[arg-type]
    with pytest.raises(AssertionError, match="Stray"):
        ticket.decide(Stray(), state)  # type: ignore[arg-type]
