"""The Campaign aggregate (DOMAIN.md §1): planned -> submitted -> approved | rejected -> running
-> completed, or cancelled before it completes. A rejected campaign is revised and submitted again.
Actual costs and participants are recorded any time after approval.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Literal, TypeAlias, assert_never

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
from crm_platform.domain import Decider, DomainError

TYPES = frozenset(
    {"trade_show", "seminar", "webinar", "direct_mail", "online_ad", "promotion", "other"}
)
Status = Literal[
    "planned", "submitted", "approved", "rejected", "running", "completed", "cancelled"
]
AFTER_APPROVAL = frozenset({"approved", "running", "completed"})


@dataclass(frozen=True, slots=True)
class Plan:
    campaign_id: str
    branch: str
    campaign_type: str
    theme: str
    segment: str
    starts_on: date
    ends_on: date
    budget: Decimal
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Revise:
    theme: str
    segment: str
    starts_on: date
    ends_on: date
    budget: Decimal
    at: datetime


@dataclass(frozen=True, slots=True)
class Submit:
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Review:
    approve: bool
    by: str
    by_role: str
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Start:
    at: datetime


@dataclass(frozen=True, slots=True)
class Complete:
    at: datetime


@dataclass(frozen=True, slots=True)
class Cancel:
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class RecordCost:
    amount: Decimal
    what: str
    at: datetime


@dataclass(frozen=True, slots=True)
class RecordParticipants:
    participants: int
    at: datetime


Command: TypeAlias = (
    Plan | Revise | Submit | Review | Start | Complete | Cancel | RecordCost | RecordParticipants
)
Event: TypeAlias = (
    CampaignPlanned
    | CampaignRevised
    | CampaignSubmitted
    | CampaignApproved
    | CampaignRejected
    | CampaignStarted
    | CampaignCompleted
    | CampaignCancelled
    | CampaignCostRecorded
    | CampaignParticipantsRecorded
)


@dataclass(frozen=True, slots=True)
class Campaign:
    campaign_id: str
    branch: str
    campaign_type: str
    theme: str
    segment: str
    starts_on: date
    ends_on: date
    budget: Decimal
    status: Status = "planned"
    actual_cost: Decimal = Decimal(0)
    participants: int = 0
    rejection: str | None = None


State: TypeAlias = Campaign | None


def _check_plan(starts_on: date, ends_on: date, budget: Decimal) -> None:
    if ends_on < starts_on:
        raise DomainError("A campaign cannot end before it starts.", field="ends_on")
    if budget <= 0:
        raise DomainError("The budget must be above zero.", field="budget")


def _exists(state: State) -> Campaign:
    if state is None:
        raise DomainError("There is no such campaign.")
    return state


def _in(state: Campaign, *allowed: Status, doing: str) -> None:
    if state.status not in allowed:
        raise DomainError(f"A {state.status} campaign cannot be {doing}.")


def decide(command: Command, state: State) -> list[Event]:
    match command:
        case Plan():
            if state is not None:
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
        case Revise():
            c = _exists(state)
            _in(c, "planned", "rejected", doing="revised")
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
            c = _exists(state)
            _in(c, "planned", "rejected", doing="submitted for approval")
            return [CampaignSubmitted(c.campaign_id, command.by, command.at)]
        case Review():
            c = _exists(state)
            if command.by_role != "branch_manager":
                raise DomainError("Only the branch manager approves or rejects campaigns.")
            _in(c, "submitted", doing="approved or rejected")
            if command.approve:
                return [CampaignApproved(c.campaign_id, command.by, command.at)]
            if not command.reason.strip():
                raise DomainError("Say why the campaign is rejected.", field="reason")
            return [CampaignRejected(c.campaign_id, command.by, command.reason, command.at)]
        case Start():
            c = _exists(state)
            _in(c, "approved", doing="started")
            return [CampaignStarted(c.campaign_id, command.at)]
        case Complete():
            c = _exists(state)
            _in(c, "running", doing="completed")
            return [CampaignCompleted(c.campaign_id, command.at)]
        case Cancel():
            c = _exists(state)
            _in(c, "planned", "submitted", "approved", "rejected", "running", doing="cancelled")
            if not command.reason.strip():
                raise DomainError("Say why the campaign is cancelled.", field="reason")
            return [CampaignCancelled(c.campaign_id, command.reason, command.at)]
        case RecordCost():
            c = _exists(state)
            if c.status not in AFTER_APPROVAL:
                raise DomainError("Costs are recorded once the campaign is approved.")
            if command.amount <= 0:
                raise DomainError("A cost is above zero.", field="amount")
            return [
                CampaignCostRecorded(
                    c.campaign_id, c.branch, command.amount, command.what, command.at
                )
            ]
        case RecordParticipants():
            c = _exists(state)
            if c.status not in AFTER_APPROVAL:
                raise DomainError("Participants are recorded once the campaign is approved.")
            if command.participants < 0:
                raise DomainError("Participants cannot be negative.", field="participants")
            return [
                CampaignParticipantsRecorded(
                    c.campaign_id, c.branch, command.participants, command.at
                )
            ]
        case _:
            assert_never(command)


def evolve(state: State, event: Event) -> State:
    if isinstance(event, CampaignPlanned):
        return Campaign(
            event.campaign_id,
            event.branch,
            event.campaign_type,
            event.theme,
            event.segment,
            event.starts_on,
            event.ends_on,
            event.budget,
        )
    assert state is not None, f"{type(event).__name__} needs a planned campaign"
    return _evolve_planned(state, event)


def _evolve_planned(state: Campaign, event: Event) -> Campaign:
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
            return replace(state, status="submitted", rejection=None)
        case CampaignApproved():
            return replace(state, status="approved")
        case CampaignRejected():
            return replace(state, status="rejected", rejection=event.reason)
        case CampaignStarted():
            return replace(state, status="running")
        case CampaignCompleted():
            return replace(state, status="completed")
        case CampaignCancelled():
            return replace(state, status="cancelled")
        case CampaignCostRecorded():
            return replace(state, actual_cost=state.actual_cost + event.amount)
        case CampaignParticipantsRecorded():
            return replace(state, participants=event.participants)
        case CampaignPlanned():
            return state
        case _:
            assert_never(event)


def initial_state() -> State:
    return None


campaign: Decider[Command, State, Event] = Decider(decide, evolve, initial_state)


def stream_id(campaign_id: str) -> str:
    return f"campaign-{campaign_id}"
