"""How each recorded event changes a lead."""

from __future__ import annotations

from dataclasses import replace
from typing import assert_never

from crm_events.leads import (
    LeadAbsorbed,
    LeadAssigned,
    LeadCaptured,
    LeadConverted,
    LeadDisqualified,
    LeadFollowUpLogged,
    LeadFollowUpOverdue,
    LeadMerged,
    LeadNurtured,
    LeadOwnerChanged,
    LeadQualified,
)

from crm_leads.domain.lead.commands import Event
from crm_leads.domain.lead.state import (
    Assigned,
    Captured,
    Contacted,
    Converted,
    Disqualified,
    Lead,
    Merged,
    New,
    Nurturing,
    Qualified,
    State,
    become,
)


def evolve(state: State, event: Event) -> State:
    if isinstance(event, LeadCaptured):
        return New(
            event.lead_id,
            event.branch,
            event.source,
            event.campaign_id,
            event.company,
            event.contact_name,
            event.email,
            event.phone,
            event.possible_duplicates,
        )
    assert isinstance(state, Lead), f"{type(event).__name__} needs a captured lead"
    return _evolve_captured(state, event)


def _evolve_captured(state: Captured, event: Event) -> Captured:
    match event:
        case LeadAssigned():
            return become(
                Assigned, state, assignee=event.to_rep, assigned_at=event.at, overdue=False
            )
        case LeadFollowUpLogged():
            if isinstance(state, New | Assigned):
                return become(Contacted, state, follow_ups=state.follow_ups + 1)
            return replace(state, follow_ups=state.follow_ups + 1)
        case LeadFollowUpOverdue():
            return replace(state, overdue=True)
        case LeadNurtured():
            return become(Nurturing, state)
        case LeadQualified():
            return become(Qualified, state)
        case LeadDisqualified():
            return become(Disqualified, state)
        case LeadConverted():
            return become(
                Converted,
                state,
                account_id=event.account_id,
                opportunity_id=event.opportunity_id,
            )
        case LeadMerged():
            return become(Merged, state)
        case LeadAbsorbed():
            return replace(state, merged=(*state.merged, event.merged_lead_id))
        case LeadOwnerChanged():
            return replace(
                state, assignee=event.to_rep, transfers=state.transfers | {event.transfer_id}
            )
        case LeadCaptured():
            return state
        case _:
            assert_never(event)
