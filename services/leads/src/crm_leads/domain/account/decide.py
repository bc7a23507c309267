"""What an account decides: each command checked against its rules, and answered with the events
it records (or a DomainError in words a salesperson understands).

The effective grade is the manager's override while one is set, else the computed one; every
change of the effective grade is published as `CustomerGradeChanged` (the service desk sets SLAs
from it), and only then.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import assert_never

from crm_events.leads import (
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
from crm_platform.domain import DomainError

from crm_leads.domain.account.commands import (
    ClearOverride,
    Command,
    Delegate,
    Event,
    Grade,
    LogInteraction,
    Open,
    Override,
    Reassign,
    RemoveContact,
    RevokeDelegation,
    SaveContact,
    SetGrowthPotential,
    UpdateDetails,
)
from crm_leads.domain.account.state import Account, Nothing, State, opened

SIZES = frozenset({"small", "medium", "large", "enterprise"})
BUYING_ROLES = frozenset({"decision_maker", "influencer", "technical_evaluator", "user", "finance"})
INTERACTIONS = frozenset({"visit", "call", "email", "meeting", "quote", "complaint"})
GRADES = frozenset({"A", "B", "C"})

Keeping = UpdateDetails | SetGrowthPotential | SaveContact | RemoveContact | LogInteraction
Owning = Delegate | RevokeDelegation | Reassign
Grading = Grade | Override | ClearOverride


def decide(command: Command, state: State) -> list[Event]:
    match command:
        case Open():
            return _open(command, state)
        case (
            UpdateDetails()
            | SetGrowthPotential()
            | SaveContact()
            | RemoveContact()
            | LogInteraction()
        ):
            return _keep(command, opened(state))
        case Delegate() | RevokeDelegation() | Reassign():
            return _ownership(command, state)
        case Grade() | Override() | ClearOverride():
            return _grading(command, opened(state))
        case _:
            assert_never(command)


def _details(size: str, credit_limit: Decimal, payment_days: int) -> None:
    if size not in SIZES:
        raise DomainError(f"The size is one of {', '.join(sorted(SIZES))}.", field="size")
    if credit_limit < 0:
        raise DomainError("A credit limit cannot be negative.", field="credit_limit")
    if not 0 <= payment_days <= 365:
        raise DomainError("Payment terms are 0 to 365 days.", field="payment_days")


def _open(command: Open, state: State) -> list[Event]:
    if not isinstance(state, Nothing):
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


# --- keeping the account: details, contacts, interactions ---------------------------------------
def _keep(command: Keeping, a: Account) -> list[Event]:
    match command:
        case UpdateDetails():
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
            if command.contact.buying_role not in BUYING_ROLES:
                raise DomainError(
                    f"The buying role is one of {', '.join(sorted(BUYING_ROLES))}.",
                    field="buying_role",
                )
            return [AccountContactSaved(a.account_id, command.contact, command.at)]
        case RemoveContact():
            if command.contact_id not in {c.contact_id for c in a.contacts}:
                raise DomainError("There is no such contact on this account.", field="contact_id")
            return [AccountContactRemoved(a.account_id, command.contact_id, command.at)]
        case LogInteraction():
            return _log_interaction(command, a)


def _log_interaction(command: LogInteraction, a: Account) -> list[Event]:
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


# --- who acts for the account: delegations, transfers -------------------------------------------
def _ownership(command: Owning, state: State) -> list[Event]:
    match command:
        case Delegate():
            a = opened(state)
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
            a = opened(state)
            if command.delegate not in {d.delegate for d in a.delegations}:
                raise DomainError("There is no such delegation.", field="delegate")
            return [
                AccountDelegationRevoked(a.account_id, command.delegate, command.by, command.at)
            ]
        case Reassign():
            if (
                isinstance(state, Nothing)
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


# --- the grade ----------------------------------------------------------------------------------
def _grading(command: Grading, a: Account) -> list[Event]:
    match command:
        case Grade():
            if command.grade not in GRADES:
                raise DomainError("A grade is A, B or C.", field="grade")
            if command.grade == a.computed_grade:
                return []
            computed = AccountGradeComputed(a.account_id, command.grade, command.source, command.at)
            after = replace(a, computed_grade=command.grade)
            return [computed, *_grade_changed(a, after, command.at, command.source)]
        case Override():
            if command.grade not in GRADES:
                raise DomainError("A grade is A, B or C.", field="grade")
            if not command.reason.strip():
                raise DomainError("Say why the grade is overridden.", field="reason")
            overridden = AccountGradeOverridden(
                a.account_id, command.grade, command.reason, command.by, command.at
            )
            after = replace(a, override_grade=command.grade)
            return [overridden, *_grade_changed(a, after, command.at, "override")]
        case ClearOverride():
            if a.override_grade is None:
                raise DomainError("This customer's grade is not overridden.")
            cleared = AccountGradeOverrideCleared(a.account_id, command.by, command.at)
            after = replace(a, override_grade=None)
            return [cleared, *_grade_changed(a, after, command.at, "override-cleared")]


def _grade_changed(a: Account, after: Account, at: datetime, source: str) -> list[Event]:
    if after.grade == a.grade or after.grade is None:
        return []
    return [CustomerGradeChanged(a.account_id, a.branch, after.grade, a.grade, source, at)]
