"""What an opportunity's history folds into: nothing yet, or the deal in one of its statuses.

Each status is its own type, carrying what only it has: a suspended deal knows since when, a
closed (won or lost) one its close summary and whether it is archived. What every status shares is
the deal itself (`Opportunity`), so a rule that holds for any opened deal reads `isinstance(state,
Opportunity)` and a rule for one status names its type.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Literal, TypeVar

from crm_events.opportunities import (
    OpportunityCloseSummaryRecorded,
    OpportunityLine,
    QuoteLine,
    TeamShare,
)
from crm_platform.domain import DomainError


@dataclass(frozen=True, slots=True)
class StageVisit:
    stage: str
    entered_at: datetime


QuoteStatus = Literal["draft", "pending_approval", "approved", "rejected", "sent", "superseded"]


@dataclass(frozen=True, slots=True)
class Quote:
    quote_id: str
    version: int
    lines: tuple[QuoteLine, ...]
    total: Decimal
    discount_percent: Decimal
    status: QuoteStatus


@dataclass(frozen=True, slots=True)
class Competitor:
    name: str
    their_quote: Decimal | None
    strategy: str


@dataclass(frozen=True, slots=True)
class Nothing:
    """No opportunity has been opened on this stream."""


Status = Literal["open", "suspended", "won", "lost"]


@dataclass(frozen=True, slots=True)
class Opportunity:
    """The deal, whatever its status."""

    status: ClassVar[Status]
    opportunity_id: str
    account_id: str
    name: str
    amount: Decimal
    currency: str
    expected_close: date
    branch: str
    owner_id: str
    stage: str
    opened_at: datetime
    history: tuple[StageVisit, ...]
    lead_id: str | None = None
    campaign_id: str | None = None
    lines: tuple[OpportunityLine, ...] = ()
    team: tuple[TeamShare, ...] = ()
    competitors: tuple[Competitor, ...] = ()
    quotes: tuple[Quote, ...] = ()
    activities: int = 0
    activity_cost: Decimal = Decimal(0)
    transfers: frozenset[str] = field(default_factory=frozenset)

    @property
    def current_quote(self) -> Quote | None:
        live = [q for q in self.quotes if q.status != "superseded"]
        return live[-1] if live else None


@dataclass(frozen=True, slots=True)
class Open(Opportunity):
    status: ClassVar[Status] = "open"


@dataclass(frozen=True, slots=True)
class Suspended(Opportunity):
    status: ClassVar[Status] = "suspended"
    suspended_at: datetime = field(kw_only=True)


@dataclass(frozen=True, slots=True)
class Closed(Opportunity):
    """Won or lost: it changes no more, but for its close summary and its archiving."""

    summary: OpportunityCloseSummaryRecorded | None = field(default=None, kw_only=True)
    archived: bool = field(default=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class Won(Closed):
    status: ClassVar[Status] = "won"


@dataclass(frozen=True, slots=True)
class Lost(Closed):
    status: ClassVar[Status] = "lost"


State = Nothing | Open | Suspended | Won | Lost
Deal = TypeVar("Deal", bound=Opportunity)
DEAL = tuple(f.name for f in dataclasses.fields(Opportunity))


def initial_state() -> State:
    return Nothing()


def become(kind: type[Deal], state: Opportunity, **changes: Any) -> Deal:
    """The same deal in another status (what only the old status had is left behind)."""
    return kind(**{name: getattr(state, name) for name in DEAL} | changes)


def working(state: State) -> Open:
    """The deal, if it is open to work on (else the reason it is not)."""
    if isinstance(state, Nothing):
        raise DomainError("There is no such opportunity.")
    if isinstance(state, Closed):
        raise DomainError(f"This opportunity is {state.status}; it can no longer change.")
    if isinstance(state, Suspended):
        raise DomainError("This opportunity is suspended; reactivate it first.")
    return state


def quote_of(state: Opportunity, quote_id: str) -> Quote:
    for q in state.quotes:
        if q.quote_id == quote_id:
            return q
    raise DomainError("There is no such quote on this opportunity.", field="quote_id")
