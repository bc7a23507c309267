"""Given/when/then for each step of the campaign lifecycle, who may take it from which status, and
the state each event leaves behind, checked field by field."""

from datetime import date
from decimal import Decimal

import pytest
from crm_events.leads import (
    CampaignCancelled,
    CampaignCompleted,
    CampaignCostRecorded,
    CampaignParticipantsRecorded,
    CampaignPlanned,
    CampaignRejected,
    CampaignRevised,
)
from crm_leads.domain.campaign import (
    Cancel,
    Cancelled,
    Complete,
    Plan,
    Planned,
    RecordCost,
    RecordParticipants,
    Rejected,
    Review,
    Revise,
    Start,
    Submit,
    Submitted,
    campaign,
)
from crm_platform.testing import Spec

from .campaign_history import APPROVED, OCT1, OCT3, PLANNED, STARTED, SUBMITTED, T

REJECTED = CampaignRejected("c1", "mgr", "budget too high", T)
COMPLETED = CampaignCompleted("c1", T)
CANCELLED = CampaignCancelled("c1", "venue closed", T)
PLAN = ("c1", "SH01", "trade_show", "Pumps expo", "chemicals", OCT1, OCT3, Decimal(80000))
PLANNED_CAMPAIGN = Planned(*PLAN)
spec = Spec(campaign)

HISTORIES = {
    "planned": (PLANNED,),
    "submitted": (PLANNED, SUBMITTED),
    "approved": (PLANNED, SUBMITTED, APPROVED),
    "rejected": (PLANNED, SUBMITTED, REJECTED),
    "running": (PLANNED, SUBMITTED, APPROVED, STARTED),
    "completed": (PLANNED, SUBMITTED, APPROVED, STARTED, COMPLETED),
    "cancelled": (PLANNED, CANCELLED),
}


def test_a_planned_campaign_holds_its_plan() -> None:
    assert spec.given(PLANNED).state() == PLANNED_CAMPAIGN


def test_a_budget_of_one_is_a_budget() -> None:
    plan = Plan("c2", "SH01", "webinar", "t", "s", OCT1, OCT1, Decimal(1), "mia", T)
    (planned,) = spec.when(plan)
    assert isinstance(planned, CampaignPlanned) and planned.budget == Decimal(1)
    spec.given(PLANNED).refuses(plan, match="already planned")
    spec.refuses(
        Plan("c2", "SH01", "party", "t", "s", OCT1, OCT1, Decimal(1), "mia", T),
        field="campaign_type",
        match="direct_mail, online_ad, other",
    )


def test_each_status_is_what_the_events_say() -> None:
    for status, history in HISTORIES.items():
        assert spec.given(*history).state().status == status


# --- revise -------------------------------------------------------------------------------------
REVISE = Revise("Pump days", "water", date(2026, 11, 2), date(2026, 11, 4), Decimal(60000), T)
REVISED = CampaignRevised(
    "c1", "Pump days", "water", date(2026, 11, 2), date(2026, 11, 4), Decimal(60000), T
)


@pytest.mark.parametrize("status", ["planned", "rejected"])
def test_a_planned_or_rejected_campaign_is_revised(status: str) -> None:
    spec.given(*HISTORIES[status]).then(REVISE, [REVISED])
    state = spec.given(*HISTORIES[status], REVISED).state()
    plan = ("c1", "SH01", "trade_show", "Pump days", "water")
    revised = (*plan, date(2026, 11, 2), date(2026, 11, 4), Decimal(60000))
    if status == "rejected":
        assert state == Rejected(*revised, rejection="budget too high")
    else:
        assert state == Planned(*revised)


def test_a_revision_is_checked_like_a_plan() -> None:
    planned = spec.given(PLANNED)
    planned.refuses(Revise("t", "s", OCT3, OCT1, Decimal(1), T), field="ends_on")
    planned.refuses(Revise("t", "s", OCT1, OCT3, Decimal(0), T), field="budget")


@pytest.mark.parametrize(
    ("command", "allowed", "doing"),
    [
        (REVISE, {"planned", "rejected"}, "revised"),
        (Submit("mia", T), {"planned", "rejected"}, "submitted for approval"),
        (Review(True, "mgr", "", T), {"submitted"}, "approved or rejected"),
        (Start(T), {"approved"}, "started"),
        (Complete(T), {"running"}, "completed"),
        (
            Cancel("why", T),
            {"planned", "submitted", "approved", "rejected", "running"},
            "cancelled",
        ),
    ],
)
def test_each_step_is_taken_only_from_its_statuses(
    command: object, allowed: set[str], doing: str
) -> None:
    for status, history in HISTORIES.items():
        if status in allowed:
            assert len(spec.given(*history).when(command)) == 1
        else:
            spec.given(*history).refuses(command, match=f"^A {status} campaign cannot be {doing}")
    spec.refuses(command, match="no such campaign")


# --- review ---------------------------------------------------------------------------------------
def test_a_rejection_is_remembered_until_the_campaign_is_submitted_again() -> None:
    rejected = spec.given(PLANNED, SUBMITTED, REJECTED).state()
    assert rejected == Rejected(*PLAN, rejection="budget too high")
    assert spec.given(PLANNED, SUBMITTED, REJECTED, SUBMITTED).state() == Submitted(*PLAN)
    cancelled = spec.given(PLANNED, SUBMITTED, REJECTED, CANCELLED).state()
    assert cancelled == Cancelled(*PLAN, rejection="budget too high")
    assert spec.given(PLANNED, SUBMITTED, CANCELLED).state() == Cancelled(*PLAN, rejection=None)


# --- cancel ---------------------------------------------------------------------------------------
def test_a_cancelled_campaign_records_why() -> None:
    spec.given(*HISTORIES["approved"]).then(Cancel("venue closed", T), [CANCELLED])
    spec.given(PLANNED).refuses(Cancel("\t", T), field="reason")


# --- actuals --------------------------------------------------------------------------------------
def test_costs_add_up_and_a_cost_of_one_counts() -> None:
    running = spec.given(*HISTORIES["running"])
    running.then(
        RecordCost(Decimal(1), "stamps", T),
        [CampaignCostRecorded("c1", "SH01", Decimal(1), "stamps", T)],
    )
    costs = (
        CampaignCostRecorded("c1", "SH01", Decimal("1200.50"), "booth", T),
        CampaignCostRecorded("c1", "SH01", Decimal("99.50"), "flyers", T),
    )
    assert spec.given(*HISTORIES["running"], *costs).state().actual_cost == Decimal(1300)
    running.refuses(RecordCost(Decimal(-1), "refund", T), field="amount")


@pytest.mark.parametrize("status", ["approved", "running", "completed"])
def test_actuals_are_recorded_from_approval_on(status: str) -> None:
    after = spec.given(*HISTORIES[status])
    after.then(RecordParticipants(0, T), [CampaignParticipantsRecorded("c1", "SH01", 0, T)])
    assert len(after.when(RecordCost(Decimal(5), "coffee", T))) == 1


@pytest.mark.parametrize("status", ["planned", "submitted", "rejected", "cancelled"])
def test_no_actuals_before_approval_or_after_cancelling(status: str) -> None:
    before = spec.given(*HISTORIES[status])
    before.refuses(RecordParticipants(10, T), match="Participants are recorded once")
    before.refuses(RecordCost(Decimal(5), "coffee", T), match="Costs are recorded once")


def test_participants_are_the_latest_count_and_never_negative() -> None:
    counts = (
        CampaignParticipantsRecorded("c1", "SH01", 140, T),
        CampaignParticipantsRecorded("c1", "SH01", 152, T),
    )
    state = spec.given(*HISTORIES["running"], *counts).state()
    assert state.participants == 152
    assert state.actual_cost == Decimal(0) and state.status == "running"
    spec.given(*HISTORIES["running"]).refuses(RecordParticipants(-1, T), field="participants")
