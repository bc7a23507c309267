"""What an account is asked (commands: time and ids arrive in them, so `decide` stays pure) and
what it records (its events)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TypeAlias

from crm_events.leads import (
    AccountContact,
    AccountContactRemoved,
    AccountContactSaved,
    AccountDelegated,
    AccountDelegationRevoked,
    AccountDetailsUpdated,
    AccountGradeComputed,
    AccountGradeOverridden,
    AccountGradeOverrideCleared,
    AccountGrowthPotentialSet,
    AccountInteractionLogged,
    AccountOpened,
    AccountOwnerChanged,
    CustomerGradeChanged,
)


@dataclass(frozen=True, slots=True)
class Open:
    account_id: str
    branch: str
    company: str
    industry: str
    size: str
    owner_id: str
    credit_limit: Decimal
    payment_days: int
    from_lead_id: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class UpdateDetails:
    company: str
    industry: str
    size: str
    credit_limit: Decimal
    payment_days: int
    at: datetime


@dataclass(frozen=True, slots=True)
class SetGrowthPotential:
    score: int | None  # 0..100; None clears it
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class SaveContact:
    contact: AccountContact
    at: datetime


@dataclass(frozen=True, slots=True)
class RemoveContact:
    contact_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class LogInteraction:
    interaction_id: str
    kind: str
    by: str
    note: str
    cost: Decimal
    at: datetime


@dataclass(frozen=True, slots=True)
class Delegate:
    delegate: str
    starts_on: date
    ends_on: date
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class RevokeDelegation:
    delegate: str
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Reassign:
    """From a permanent transfer of an owner: idempotent per transfer."""

    transfer_id: str
    from_owner: str
    to_owner: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Grade:
    grade: str
    source: str  # computed (the analysis) | admin (set by hand until the analysis runs)
    at: datetime


@dataclass(frozen=True, slots=True)
class Override:
    """A manager's grade (the route admits only the branch manager and admin)."""

    grade: str
    reason: str
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ClearOverride:
    by: str
    at: datetime


Command: TypeAlias = (
    Open
    | UpdateDetails
    | SetGrowthPotential
    | SaveContact
    | RemoveContact
    | LogInteraction
    | Delegate
    | RevokeDelegation
    | Reassign
    | Grade
    | Override
    | ClearOverride
)
Event: TypeAlias = (
    AccountOpened
    | AccountDetailsUpdated
    | AccountGrowthPotentialSet
    | AccountContactSaved
    | AccountContactRemoved
    | AccountInteractionLogged
    | AccountDelegated
    | AccountDelegationRevoked
    | AccountOwnerChanged
    | AccountGradeComputed
    | AccountGradeOverridden
    | AccountGradeOverrideCleared
    | CustomerGradeChanged
)
