"""What a lead is asked (commands: time, ids and the records it may duplicate arrive in them, so
`decide` stays pure) and what it records (its events)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TypeAlias

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

DEFAULT_FOLLOW_UP_HOURS = 48


@dataclass(frozen=True, slots=True)
class Capture:
    lead_id: str
    branch: str
    source: str
    campaign_id: str | None
    company: str
    contact_name: str
    email: str | None
    phone: str | None
    captured_by: str
    possible_duplicates: tuple[str, ...]
    at: datetime


@dataclass(frozen=True, slots=True)
class Assign:
    rep: str
    by: str
    at: datetime
    automatic: bool = False


@dataclass(frozen=True, slots=True)
class LogFollowUp:
    channel: str
    note: str
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CheckFollowUp:
    now: datetime
    limit_hours: int = DEFAULT_FOLLOW_UP_HOURS


@dataclass(frozen=True, slots=True)
class Nurture:
    reason: str
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Qualify:
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Disqualify:
    reason: str
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Convert:
    account_id: str
    account_created: bool
    opportunity_id: str
    opportunity_name: str
    amount: Decimal
    currency: str
    expected_close: date
    at: datetime


@dataclass(frozen=True, slots=True)
class MergeInto:
    into_lead_id: str
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Absorb:
    merged_lead_id: str
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Reassign:
    """From a permanent transfer of an owner: idempotent per transfer."""

    transfer_id: str
    from_rep: str
    to_rep: str
    at: datetime


Command: TypeAlias = (
    Capture
    | Assign
    | LogFollowUp
    | CheckFollowUp
    | Nurture
    | Qualify
    | Disqualify
    | Convert
    | MergeInto
    | Absorb
    | Reassign
)
Event: TypeAlias = (
    LeadCaptured
    | LeadAssigned
    | LeadFollowUpLogged
    | LeadFollowUpOverdue
    | LeadNurtured
    | LeadQualified
    | LeadDisqualified
    | LeadConverted
    | LeadMerged
    | LeadAbsorbed
    | LeadOwnerChanged
)
