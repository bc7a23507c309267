"""What a lead's history folds into: nothing yet, or the lead in one of its statuses.

Each status is its own type; what every status shares is the lead itself (`Lead`): its contact,
its assignee and the follow-up clock, what it absorbed and the transfers it has seen. Only a
converted lead knows its account and opportunity. Converted, disqualified and merged leads are
`Closed`: they change no more.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Literal, TypeVar

from crm_platform.domain import DomainError


@dataclass(frozen=True, slots=True)
class Nothing:
    """No lead has been captured on this stream."""


Status = Literal[
    "new", "assigned", "contacted", "nurturing", "qualified", "converted", "disqualified", "merged"
]


@dataclass(frozen=True, slots=True)
class Lead:
    """The lead, whatever its status."""

    status: ClassVar[Status]
    lead_id: str
    branch: str
    source: str
    campaign_id: str | None
    company: str
    contact_name: str
    email: str | None
    phone: str | None
    possible_duplicates: tuple[str, ...]
    assignee: str | None = None
    assigned_at: datetime | None = None
    follow_ups: int = 0
    overdue: bool = False
    merged: tuple[str, ...] = ()
    transfers: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class New(Lead):
    status: ClassVar[Status] = "new"


@dataclass(frozen=True, slots=True)
class Assigned(Lead):
    status: ClassVar[Status] = "assigned"


@dataclass(frozen=True, slots=True)
class Contacted(Lead):
    status: ClassVar[Status] = "contacted"


@dataclass(frozen=True, slots=True)
class Nurturing(Lead):
    status: ClassVar[Status] = "nurturing"


@dataclass(frozen=True, slots=True)
class Qualified(Lead):
    status: ClassVar[Status] = "qualified"


@dataclass(frozen=True, slots=True)
class Closed(Lead):
    """Converted, disqualified or merged: it can no longer change."""


@dataclass(frozen=True, slots=True)
class Converted(Closed):
    status: ClassVar[Status] = "converted"
    account_id: str = field(kw_only=True)
    opportunity_id: str = field(kw_only=True)


@dataclass(frozen=True, slots=True)
class Disqualified(Closed):
    status: ClassVar[Status] = "disqualified"


@dataclass(frozen=True, slots=True)
class Merged(Closed):
    status: ClassVar[Status] = "merged"


Captured = New | Assigned | Contacted | Nurturing | Qualified | Converted | Disqualified | Merged
State = Nothing | Captured
Kind = TypeVar("Kind", bound=Lead)
LEAD = tuple(f.name for f in dataclasses.fields(Lead))


def initial_state() -> State:
    return Nothing()


def become(kind: type[Kind], state: Lead, **changes: Any) -> Kind:
    """The same lead in another status (what only the old status had is left behind)."""
    return kind(**{name: getattr(state, name) for name in LEAD} | changes)


def open_lead(state: State) -> Lead:
    """The lead, if it can still change (else the reason it cannot)."""
    if isinstance(state, Nothing):
        raise DomainError("There is no such lead.")
    if isinstance(state, Closed):
        raise DomainError(f"This lead is {state.status}; it can no longer change.")
    return state
