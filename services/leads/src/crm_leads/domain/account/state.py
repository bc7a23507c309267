"""What an account's history folds into: nothing yet, or the open account. An account has no
lifecycle of its own (it stays open), so it is one type."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from crm_events.leads import AccountContact
from crm_platform.domain import DomainError


@dataclass(frozen=True, slots=True)
class Nothing:
    """No account has been opened on this stream."""


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


State = Nothing | Account


def initial_state() -> State:
    return Nothing()


def opened(state: State) -> Account:
    if isinstance(state, Nothing):
        raise DomainError("There is no such customer account.")
    return state
