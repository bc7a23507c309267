"""Given/when/then for the campaign lifecycle (DOMAIN.md §1)."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from crm_events.leads import (
    CampaignCancelled,
    CampaignCompleted,
    CampaignCostRecorded,
    CampaignParticipantsRecorded,
    CampaignRejected,
    CampaignRevised,
)
from crm_leads.domain.campaign import (
    Campaign,
    Cancel,
    Complete,
    Plan,
    RecordCost,
    RecordParticipants,
    Review,
    Revise,
    Start,
    Submit,
    campaign,
)
from crm_platform.domain import DomainError
from crm_platform.testing import Spec

from .campaign_history import APPROVED, PLANNED, STARTED, SUBMITTED, T

spec = Spec(campaign)


def refused(
    command: object, *history: object, match: str | None = None, field: str | None = None
) -> None:
    with pytest.raises(DomainError, match=match) as caught:
        spec.given(*history).when(command)
    assert caught.value.field == field


def test_a_campaign_is_planned_with_dates_and_budget() -> None:
    plan = Plan(
        "c1",
        "SH01",
        "trade_show",
        "Pumps expo",
        "chemicals",
        date(2026, 10, 1),
        date(2026, 10, 3),
        Decimal("80000"),
        "mia",
        T,
    )
    spec.then(plan, [PLANNED])
    jan1, jan2 = date(2026, 1, 1), date(2026, 1, 2)
    webinar = Plan("c1", "SH01", "webinar", "x", "y", jan1, jan2, Decimal(1), "m", T)
    refused(replace(webinar, campaign_type="party"), field="campaign_type")
    refused(replace(webinar, starts_on=jan2, ends_on=jan1), field="ends_on")
    refused(replace(webinar, ends_on=jan1, budget=Decimal(0)), field="budget")


def test_the_whole_lifecycle() -> None:
    spec.given(PLANNED).then(Submit("mia", T), [SUBMITTED])
    spec.given(PLANNED, SUBMITTED).then(Review(True, "mgr", "", T), [APPROVED])
    spec.given(PLANNED, SUBMITTED, APPROVED).then(Start(T), [STARTED])
    spec.given(PLANNED, SUBMITTED, APPROVED, STARTED).then(
        Complete(T), [CampaignCompleted("c1", T)]
    )


def test_only_a_submitted_campaign_is_reviewed() -> None:
    refused(Review(True, "mgr", "", T), PLANNED, match="planned campaign")


def test_a_rejected_campaign_is_revised_and_resubmitted() -> None:
    rejected = CampaignRejected("c1", "mgr", "budget too high", T)
    spec.given(PLANNED, SUBMITTED).then(Review(False, "mgr", "budget too high", T), [rejected])
    refused(Review(False, "mgr", " ", T), PLANNED, SUBMITTED, field="reason")
    revise = Revise(
        "Pumps expo", "chemicals", date(2026, 10, 1), date(2026, 10, 3), Decimal("60000"), T
    )
    spec.given(PLANNED, SUBMITTED, rejected).then(
        revise,
        [
            CampaignRevised(
                "c1",
                "Pumps expo",
                "chemicals",
                date(2026, 10, 1),
                date(2026, 10, 3),
                Decimal("60000"),
                T,
            )
        ],
    )
    spec.given(PLANNED, SUBMITTED, rejected).then(Submit("mia", T), [SUBMITTED])
    refused(revise, PLANNED, SUBMITTED, APPROVED, match="approved campaign")


def test_costs_and_participants_only_after_approval() -> None:
    refused(RecordCost(Decimal(100), "booth", T), PLANNED, match="approved")
    refused(RecordParticipants(10, T), PLANNED, SUBMITTED, match="approved")
    history = (PLANNED, SUBMITTED, APPROVED, STARTED)
    spec.given(*history).then(
        RecordCost(Decimal("1200.50"), "booth", T),
        [CampaignCostRecorded("c1", "SH01", Decimal("1200.50"), "booth", T)],
    )
    refused(RecordCost(Decimal(0), "booth", T), *history, field="amount")
    spec.given(*history).then(
        RecordParticipants(140, T), [CampaignParticipantsRecorded("c1", "SH01", 140, T)]
    )
    state = campaign.fold(
        [
            *history,
            CampaignCostRecorded("c1", "SH01", Decimal(100), "a", T),
            CampaignCostRecorded("c1", "SH01", Decimal(50), "b", T),
        ]
    )
    assert isinstance(state, Campaign) and state.actual_cost == Decimal(150)


def test_cancel_before_completion_with_a_reason() -> None:
    spec.given(PLANNED, SUBMITTED, APPROVED, STARTED).then(
        Cancel("venue closed", T), [CampaignCancelled("c1", "venue closed", T)]
    )
    refused(Cancel(" ", T), PLANNED, field="reason")
    refused(
        Cancel("late", T),
        PLANNED,
        SUBMITTED,
        APPROVED,
        STARTED,
        CampaignCompleted("c1", T),
        match="completed campaign",
    )
