"""What a campaign decides: each step checked against the campaign's status, and answered with
the events it records (or a DomainError in words a marketer understands)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
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
from crm_platform.domain import DomainError

from crm_leads.domain.campaign.commands import (
    Cancel,
    Command,
    Complete,
    Event,
    Plan,
    RecordCost,
    RecordParticipants,
    Review,
    Revise,
    Start,
    Submit,
)
from crm_leads.domain.campaign.state import (
    Approved,
    Campaign,
    Completed,
    Nothing,
    Planned,
    Rejected,
    Running,
    State,
    Submitted,
    in_status,
    planned,
)

TYPES = frozenset(
    {"trade_show", "seminar", "webinar", "direct_mail", "online_ad", "promotion", "other"}
)
AFTER_APPROVAL = (Approved, Running, Completed)

Approving = Revise | Submit | Review
Ongoing = Start | Complete | Cancel
Actuals = RecordCost | RecordParticipants


def decide(command: Command, state: State) -> list[Event]:
    match command:
        case Plan():
            return _plan(command, state)
        case Revise() | Submit() | Review():
            return _approval(command, planned(state))
        case Start() | Complete() | Cancel():
            return _running(command, planned(state))
        case RecordCost() | RecordParticipants():
            return _actuals(command, planned(state))
        case _:
            assert_never(command)


def _check_plan(starts_on: date, ends_on: date, budget: Decimal) -> None:
    if ends_on < starts_on:
        raise DomainError("A campaign cannot end before it starts.", field="ends_on")
    if budget <= 0:
        raise DomainError("The budget must be above zero.", field="budget")


def _plan(command: Plan, state: State) -> list[Event]:
    if not isinstance(state, Nothing):
        raise DomainError("This campaign is already planned.")
    if command.campaign_type not in TYPES:
        raise DomainError(
            f"A campaign is one of {', '.join(sorted(TYPES))}.", field="campaign_type"
        )
    _check_plan(command.starts_on, command.ends_on, command.budget)
    return [
        CampaignPlanned(
            command.campaign_id,
            command.branch,
            command.campaign_type,
            command.theme,
            command.segment,
            command.starts_on,
            command.ends_on,
            command.budget,
            command.by,
            command.at,
        )
    ]


def _approval(command: Approving, c: Campaign) -> list[Event]:
    match command:
        case Revise():
            in_status(c, Planned, Rejected, doing="revised")
            _check_plan(command.starts_on, command.ends_on, command.budget)
            return [
                CampaignRevised(
                    c.campaign_id,
                    command.theme,
                    command.segment,
                    command.starts_on,
                    command.ends_on,
                    command.budget,
                    command.at,
                )
            ]
        case Submit():
            in_status(c, Planned, Rejected, doing="submitted for approval")
            return [CampaignSubmitted(c.campaign_id, command.by, command.at)]
        case Review():
            in_status(c, Submitted, doing="approved or rejected")
            if command.approve:
                return [CampaignApproved(c.campaign_id, command.by, command.at)]
            if not command.reason.strip():
                raise DomainError("Say why the campaign is rejected.", field="reason")
            return [CampaignRejected(c.campaign_id, command.by, command.reason, command.at)]


def _running(command: Ongoing, c: Campaign) -> list[Event]:
    match command:
        case Start():
            in_status(c, Approved, doing="started")
            return [CampaignStarted(c.campaign_id, command.at)]
        case Complete():
            in_status(c, Running, doing="completed")
            return [CampaignCompleted(c.campaign_id, command.at)]
        case Cancel():
            in_status(c, Planned, Submitted, Approved, Rejected, Running, doing="cancelled")
            if not command.reason.strip():
                raise DomainError("Say why the campaign is cancelled.", field="reason")
            return [CampaignCancelled(c.campaign_id, command.reason, command.at)]


def _actuals(command: Actuals, c: Campaign) -> list[Event]:
    match command:
        case RecordCost():
            if not isinstance(c, AFTER_APPROVAL):
                raise DomainError("Costs are recorded once the campaign is approved.")
            if command.amount <= 0:
                raise DomainError("A cost is above zero.", field="amount")
            return [
                CampaignCostRecorded(
                    c.campaign_id, c.branch, command.amount, command.what, command.at
                )
            ]
        case RecordParticipants():
            if not isinstance(c, AFTER_APPROVAL):
                raise DomainError("Participants are recorded once the campaign is approved.")
            if command.participants < 0:
                raise DomainError("Participants cannot be negative.", field="participants")
            return [
                CampaignParticipantsRecorded(
                    c.campaign_id, c.branch, command.participants, command.at
                )
            ]
