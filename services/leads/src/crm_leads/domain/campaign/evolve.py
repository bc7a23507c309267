"""How each recorded event changes a campaign."""

from __future__ import annotations

from dataclasses import replace
from typing import assert_never

from crm_events.leads import (
    CampaignApproved,
    CampaignCancelled,
    CampaignCompleted,
    CampaignCostRecorded,
    CampaignParticipantsRecorded,
    CampaignPlanned,
    CampaignRejected,
    CampaignRevised,
    CampaignStarted,
    CampaignSubmitted,
)

from crm_leads.domain.campaign.commands import Event
from crm_leads.domain.campaign.state import (
    Approved,
    Campaign,
    Cancelled,
    Completed,
    Planned,
    Planning,
    Rejected,
    Running,
    State,
    Submitted,
    become,
)


def evolve(state: State, event: Event) -> State:
    if isinstance(event, CampaignPlanned):
        return Planned(
            event.campaign_id,
            event.branch,
            event.campaign_type,
            event.theme,
            event.segment,
            event.starts_on,
            event.ends_on,
            event.budget,
        )
    assert isinstance(state, Campaign), f"{type(event).__name__} needs a planned campaign"
    return _evolve_planned(state, event)


def _evolve_planned(state: Planning, event: Event) -> Planning:
    match event:
        case CampaignRevised():
            return replace(
                state,
                theme=event.theme,
                segment=event.segment,
                starts_on=event.starts_on,
                ends_on=event.ends_on,
                budget=event.budget,
            )
        case CampaignSubmitted():
            return become(Submitted, state)
        case CampaignApproved():
            return become(Approved, state)
        case CampaignRejected():
            return become(Rejected, state, rejection=event.reason)
        case CampaignStarted():
            return become(Running, state)
        case CampaignCompleted():
            return become(Completed, state)
        case CampaignCancelled():
            rejection = state.rejection if isinstance(state, Rejected) else None
            return become(Cancelled, state, rejection=rejection)
        case CampaignCostRecorded():
            return replace(state, actual_cost=state.actual_cost + event.amount)
        case CampaignParticipantsRecorded():
            return replace(state, participants=event.participants)
        case CampaignPlanned():
            return state
        case _:
            assert_never(event)
