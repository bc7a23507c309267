"""What a campaign is asked (commands: time and ids arrive in them, so `decide` stays pure) and
what it records (its events)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TypeAlias

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
    """The branch manager's answer (the route admits no one else)."""

    approve: bool
    by: str
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
