"""The customer Account aggregate (DOMAIN.md §1, §5): the company, its contacts with their part in
the buying decision, every interaction, the owner with delegations and transfers, and the grade.

The effective grade is the manager's override while one is set, else the computed one; every
change of the effective grade is published as `CustomerGradeChanged` (the service desk sets SLAs
from it), and only then.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import TypeAlias, assert_never

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
    OwnerTransferred,
)
from crm_platform.domain import Decider, DomainError

SIZES = frozenset({"small", "medium", "large", "enterprise"})
BUYING_ROLES = frozenset({"decision_maker", "influencer", "technical_evaluator", "user", "finance"})
INTERACTIONS = frozenset({"visit", "call", "email", "meeting", "quote", "complaint"})
GRADES = frozenset({"A", "B", "C"})


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
    grade: str
    reason: str
    by: str
    by_role: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ClearOverride:
    by: str
    by_role: str
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


@dataclass(frozen=True, slots=True)
class Delegation:
    delegate: str
    starts_on: date
    ends_on: date


@dataclass(frozen=True, slots=True)
class Account:
    account_id: str
    branch: str
    company: str
    industry: str
    size: str
    owner_id: str
    credit_limit: Decimal
    payment_days: int
    from_lead_id: str | None = None
    contacts: tuple[AccountContact, ...] = ()
    interactions: int = 0
    interaction_cost: Decimal = Decimal(0)
    last_interaction_at: datetime | None = None
    delegations: tuple[Delegation, ...] = ()
    transfers: frozenset[str] = frozenset()
    computed_grade: str | None = None
    override_grade: str | None = None
    growth_potential: int | None = None  # the manager's estimate while there is no history

    @property
    def grade(self) -> str | None:
        return self.override_grade or self.computed_grade

    def acting_owners(self, on: date) -> tuple[str, ...]:
        """The owner and whoever acts for them on that day."""
        acting = tuple(d.delegate for d in self.delegations if d.starts_on <= on <= d.ends_on)
        return (self.owner_id, *acting)


State: TypeAlias = Account | None


def _exists(state: State) -> Account:
    if state is None:
        raise DomainError("There is no such customer account.")
    return state


def _details(size: str, credit_limit: Decimal, payment_days: int) -> None:
    if size not in SIZES:
        raise DomainError(f"The size is one of {', '.join(sorted(SIZES))}.", field="size")
    if credit_limit < 0:
        raise DomainError("A credit limit cannot be negative.", field="credit_limit")
    if not 0 <= payment_days <= 365:
        raise DomainError("Payment terms are 0 to 365 days.", field="payment_days")


def _grade_events(a: Account, after: Account, at: datetime, source: str) -> list[Event]:
    if after.grade == a.grade or after.grade is None:
        return []
    return [CustomerGradeChanged(a.account_id, a.branch, after.grade, a.grade, source, at)]


def decide(command: Command, state: State) -> list[Event]:
    match command:
        case Open():
            if state is not None:
                raise DomainError("This account is already open.")
            _details(command.size, command.credit_limit, command.payment_days)
            return [
                AccountOpened(
                    command.account_id,
                    command.branch,
                    command.company,
                    command.industry,
                    command.size,
                    command.owner_id,
                    command.credit_limit,
                    command.payment_days,
                    command.from_lead_id,
                    command.at,
                )
            ]
        case UpdateDetails():
            a = _exists(state)
            _details(command.size, command.credit_limit, command.payment_days)
            return [
                AccountDetailsUpdated(
                    a.account_id,
                    command.company,
                    command.industry,
                    command.size,
                    command.credit_limit,
                    command.payment_days,
                    command.at,
                )
            ]
        case SetGrowthPotential():
            a = _exists(state)
            if command.score is not None and not 0 <= command.score <= 100:
                raise DomainError("A growth potential is 0 to 100.", field="score")
            if command.score == a.growth_potential:
                return []
            return [
                AccountGrowthPotentialSet(
                    a.account_id, a.branch, command.score, command.by, command.at
                )
            ]
        case SaveContact():
            a = _exists(state)
            if command.contact.buying_role not in BUYING_ROLES:
                raise DomainError(
                    f"The buying role is one of {', '.join(sorted(BUYING_ROLES))}.",
                    field="buying_role",
                )
            return [AccountContactSaved(a.account_id, command.contact, command.at)]
        case RemoveContact():
            a = _exists(state)
            if command.contact_id not in {c.contact_id for c in a.contacts}:
                raise DomainError("There is no such contact on this account.", field="contact_id")
            return [AccountContactRemoved(a.account_id, command.contact_id, command.at)]
        case LogInteraction():
            a = _exists(state)
            if command.kind not in INTERACTIONS:
                raise DomainError(
                    f"An interaction is one of {', '.join(sorted(INTERACTIONS))}.", field="kind"
                )
            if command.cost < 0:
                raise DomainError("A cost cannot be negative.", field="cost")
            return [
                AccountInteractionLogged(
                    a.account_id,
                    a.branch,
                    command.interaction_id,
                    command.kind,
                    command.by,
                    command.note,
                    command.cost,
                    command.at,
                )
            ]
        case Delegate():
            a = _exists(state)
            if command.ends_on < command.starts_on:
                raise DomainError("A delegation ends after it starts.", field="ends_on")
            if command.delegate == a.owner_id:
                raise DomainError("The owner does not delegate to themselves.", field="delegate")
            return [
                AccountDelegated(
                    a.account_id,
                    a.owner_id,
                    command.delegate,
                    command.starts_on,
                    command.ends_on,
                    command.by,
                    command.at,
                )
            ]
        case RevokeDelegation():
            a = _exists(state)
            if command.delegate not in {d.delegate for d in a.delegations}:
                raise DomainError("There is no such delegation.", field="delegate")
            return [
                AccountDelegationRevoked(a.account_id, command.delegate, command.by, command.at)
            ]
        case Reassign():
            if (
                state is None
                or state.owner_id != command.from_owner
                or command.transfer_id in state.transfers
            ):
                return []
            return [
                AccountOwnerChanged(
                    state.account_id,
                    command.from_owner,
                    command.to_owner,
                    command.transfer_id,
                    command.at,
                )
            ]
        case Grade():
            a = _exists(state)
            if command.grade not in GRADES:
                raise DomainError("A grade is A, B or C.", field="grade")
            if command.grade == a.computed_grade:
                return []
            computed = AccountGradeComputed(a.account_id, command.grade, command.source, command.at)
            return [
                computed,
                *_grade_events(
                    a, replace(a, computed_grade=command.grade), command.at, command.source
                ),
            ]
        case Override():
            a = _exists(state)
            if command.by_role not in ("branch_manager", "admin"):
                raise DomainError("Only a manager overrides a customer's grade.")
            if command.grade not in GRADES:
                raise DomainError("A grade is A, B or C.", field="grade")
            if not command.reason.strip():
                raise DomainError("Say why the grade is overridden.", field="reason")
            overridden = AccountGradeOverridden(
                a.account_id, command.grade, command.reason, command.by, command.at
            )
            return [
                overridden,
                *_grade_events(a, replace(a, override_grade=command.grade), command.at, "override"),
            ]
        case ClearOverride():
            a = _exists(state)
            if command.by_role not in ("branch_manager", "admin"):
                raise DomainError("Only a manager clears a grade override.")
            if a.override_grade is None:
                raise DomainError("This customer's grade is not overridden.")
            cleared = AccountGradeOverrideCleared(a.account_id, command.by, command.at)
            return [
                cleared,
                *_grade_events(a, replace(a, override_grade=None), command.at, "override-cleared"),
            ]
        case _:
            assert_never(command)


def evolve(state: State, event: Event) -> State:
    if isinstance(event, AccountOpened):
        return Account(
            event.account_id,
            event.branch,
            event.company,
            event.industry,
            event.size,
            event.owner_id,
            event.credit_limit,
            event.payment_days,
            event.from_lead_id,
        )
    assert state is not None, f"{type(event).__name__} needs an open account"
    return _evolve_open(state, event)


def _evolve_open(a: Account, event: Event) -> Account:
    match event:
        case AccountDetailsUpdated():
            return replace(
                a,
                company=event.company,
                industry=event.industry,
                size=event.size,
                credit_limit=event.credit_limit,
                payment_days=event.payment_days,
            )
        case AccountGrowthPotentialSet():
            return replace(a, growth_potential=event.score)
        case AccountContactSaved():
            others = tuple(c for c in a.contacts if c.contact_id != event.contact.contact_id)
            return replace(a, contacts=(*others, event.contact))
        case AccountContactRemoved():
            return replace(
                a, contacts=tuple(c for c in a.contacts if c.contact_id != event.contact_id)
            )
        case AccountInteractionLogged():
            return replace(
                a,
                interactions=a.interactions + 1,
                interaction_cost=a.interaction_cost + event.cost,
                last_interaction_at=max(event.at, a.last_interaction_at or event.at),
            )
        case AccountDelegated():
            kept = tuple(d for d in a.delegations if d.delegate != event.delegate)
            return replace(
                a, delegations=(*kept, Delegation(event.delegate, event.starts_on, event.ends_on))
            )
        case AccountDelegationRevoked():
            return replace(
                a, delegations=tuple(d for d in a.delegations if d.delegate != event.delegate)
            )
        case AccountOwnerChanged():
            return replace(a, owner_id=event.to_owner, transfers=a.transfers | {event.transfer_id})
        case AccountGradeComputed():
            return replace(a, computed_grade=event.grade)
        case AccountGradeOverridden():
            return replace(a, override_grade=event.grade)
        case AccountGradeOverrideCleared():
            return replace(a, override_grade=None)
        case CustomerGradeChanged() | AccountOpened():
            return a
        case _:
            assert_never(event)


def initial_state() -> State:
    return None


account: Decider[Command, State, Event] = Decider(decide, evolve, initial_state)


def stream_id(account_id: str) -> str:
    return f"account-{account_id}"


def on_owner_transferred(e: OwnerTransferred) -> Reassign:
    return Reassign(e.transfer_id, e.from_user, e.to_user, e.transferred_at)
