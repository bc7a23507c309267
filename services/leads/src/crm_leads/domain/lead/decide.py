"""What a lead decides: each command checked against its rules and the lead's status, and answered
with the events it records (or a DomainError in words a salesperson understands)."""

from __future__ import annotations

from datetime import timedelta
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
from crm_platform.domain import DomainError

from crm_leads.domain.lead.commands import (
    Absorb,
    Assign,
    Capture,
    CheckFollowUp,
    Command,
    Convert,
    Disqualify,
    Event,
    LogFollowUp,
    MergeInto,
    Nurture,
    Qualify,
    Reassign,
)
from crm_leads.domain.lead.keys import duplicate_keys
from crm_leads.domain.lead.state import (
    Assigned,
    Closed,
    Contacted,
    Lead,
    New,
    Nothing,
    Nurturing,
    Qualified,
    State,
    open_lead,
)

SOURCES = frozenset(
    {"campaign", "website_form", "referral", "trade_show", "cold_call", "partner", "media", "other"}
)
CHANNELS = frozenset({"call", "email", "visit", "meeting", "message"})

Owning = Assign | CheckFollowUp | Reassign
Working = LogFollowUp | Nurture | Qualify | Disqualify | Convert
Merging = MergeInto | Absorb


def decide(command: Command, state: State) -> list[Event]:
    match command:
        case Capture():
            return _capture(command, state)
        case Assign() | CheckFollowUp() | Reassign():
            return _ownership(command, state)
        case LogFollowUp() | Nurture() | Qualify() | Disqualify() | Convert():
            return _work(command, open_lead(state))
        case MergeInto() | Absorb():
            return _merging(command, open_lead(state))
        case _:
            assert_never(command)


def _capture(command: Capture, state: State) -> list[Event]:
    if not isinstance(state, Nothing):
        raise DomainError("This lead is already captured.")
    if command.source not in SOURCES:
        raise DomainError(f"The source is one of {', '.join(sorted(SOURCES))}.", field="source")
    if command.source == "campaign" and not command.campaign_id:
        raise DomainError("Name the campaign the lead came from.", field="campaign_id")
    if not (command.email or command.phone):
        raise DomainError("Give an e-mail address or a phone number.", field="email")
    return [
        LeadCaptured(
            command.lead_id,
            command.branch,
            command.source,
            command.campaign_id,
            command.company,
            command.contact_name,
            command.email,
            command.phone,
            duplicate_keys(command.company, command.email, command.phone),
            command.possible_duplicates,
            command.captured_by,
            command.at,
        )
    ]


# --- who has the lead: assignment, the follow-up clock, transfers -------------------------------
def _ownership(command: Owning, state: State) -> list[Event]:
    match command:
        case Assign():
            lead = open_lead(state)
            if not isinstance(lead, New | Assigned):
                raise DomainError(
                    "Only a new or assigned lead is (re)assigned; transfer its owner instead."
                )
            if command.rep == lead.assignee:
                raise DomainError("The lead is already theirs.", field="rep")
            return [
                LeadAssigned(
                    lead.lead_id,
                    lead.branch,
                    lead.assignee,
                    command.rep,
                    command.by,
                    command.automatic,
                    command.at,
                )
            ]
        case CheckFollowUp():
            if (
                not isinstance(state, Assigned)
                or state.follow_ups > 0
                or state.overdue
                or state.assignee is None
                or state.assigned_at is None
                or command.now <= state.assigned_at + timedelta(hours=command.limit_hours)
            ):
                return []
            return [
                LeadFollowUpOverdue(
                    state.lead_id,
                    state.branch,
                    state.assignee,
                    state.assigned_at,
                    command.limit_hours,
                    command.now,
                )
            ]
        case Reassign():
            if (
                isinstance(state, Nothing | Closed)
                or state.assignee != command.from_rep
                or command.transfer_id in state.transfers
            ):
                return []
            return [
                LeadOwnerChanged(
                    state.lead_id, command.from_rep, command.to_rep, command.transfer_id, command.at
                )
            ]


# --- working the lead: follow-ups, nurturing, qualifying, the outcome ---------------------------
def _work(command: Working, lead: Lead) -> list[Event]:
    match command:
        case LogFollowUp():
            if command.channel not in CHANNELS:
                raise DomainError(
                    f"The channel is one of {', '.join(sorted(CHANNELS))}.", field="channel"
                )
            if lead.assignee is None:
                raise DomainError("Assign the lead before following it up.")
            return [
                LeadFollowUpLogged(
                    lead.lead_id,
                    command.channel,
                    command.note,
                    command.by,
                    lead.follow_ups == 0,
                    command.at,
                )
            ]
        case Nurture():
            if isinstance(lead, Qualified):
                raise DomainError("A qualified lead goes to sales, not back to nurturing.")
            return [LeadNurtured(lead.lead_id, command.reason, command.by, command.at)]
        case Qualify():
            if not isinstance(lead, Contacted | Nurturing):
                raise DomainError("A lead is qualified after it has been contacted.")
            return [LeadQualified(lead.lead_id, command.by, command.at)]
        case Disqualify():
            if not command.reason.strip():
                raise DomainError("Say why the lead is disqualified.", field="reason")
            return [
                LeadDisqualified(lead.lead_id, lead.branch, command.reason, command.by, command.at)
            ]
        case Convert():
            return _convert(command, lead)


def _convert(command: Convert, lead: Lead) -> list[Event]:
    if not isinstance(lead, Qualified):
        raise DomainError("Only a qualified lead is converted.")
    if command.amount <= 0:
        raise DomainError("The opportunity's amount must be above zero.", field="amount")
    return [
        LeadConverted(
            lead.lead_id,
            command.account_id,
            command.account_created,
            command.opportunity_id,
            command.opportunity_name,
            command.amount,
            command.currency,
            command.expected_close,
            lead.campaign_id,
            lead.branch,
            lead.assignee or "",
            command.at,
        )
    ]


# --- duplicates ---------------------------------------------------------------------------------
def _merging(command: Merging, lead: Lead) -> list[Event]:
    match command:
        case MergeInto():
            if command.into_lead_id == lead.lead_id:
                raise DomainError("A lead is not merged into itself.", field="into_lead_id")
            return [LeadMerged(lead.lead_id, command.into_lead_id, command.by, command.at)]
        case Absorb():
            if command.merged_lead_id in lead.merged:
                return []
            return [LeadAbsorbed(lead.lead_id, command.merged_lead_id, command.by, command.at)]
