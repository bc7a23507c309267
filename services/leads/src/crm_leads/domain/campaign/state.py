"""What a campaign's history folds into: nothing yet, or the campaign in one of its statuses.

Each status is its own type; what every status shares is the campaign itself (`Campaign`): its
plan and its actuals (zero until it is approved). A rejected campaign knows why until it is
submitted again; a campaign cancelled after its rejection still does.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, Literal, TypeVar

from crm_platform.domain import DomainError


@dataclass(frozen=True, slots=True)
class Nothing:
    """No campaign has been planned on this stream."""


Status = Literal[
    "planned", "submitted", "approved", "rejected", "running", "completed", "cancelled"
]


@dataclass(frozen=True, slots=True)
class Campaign:
    """The campaign, whatever its status."""

    status: ClassVar[Status]
    campaign_id: str
    branch: str
    campaign_type: str
    theme: str
    segment: str
    starts_on: date
    ends_on: date
    budget: Decimal
    actual_cost: Decimal = Decimal(0)
    participants: int = 0


@dataclass(frozen=True, slots=True)
class Planned(Campaign):
    status: ClassVar[Status] = "planned"


@dataclass(frozen=True, slots=True)
class Submitted(Campaign):
    status: ClassVar[Status] = "submitted"


@dataclass(frozen=True, slots=True)
class Approved(Campaign):
    status: ClassVar[Status] = "approved"


@dataclass(frozen=True, slots=True)
class Rejected(Campaign):
    status: ClassVar[Status] = "rejected"
    rejection: str = field(kw_only=True)


@dataclass(frozen=True, slots=True)
class Running(Campaign):
    status: ClassVar[Status] = "running"


@dataclass(frozen=True, slots=True)
class Completed(Campaign):
    status: ClassVar[Status] = "completed"


@dataclass(frozen=True, slots=True)
class Cancelled(Campaign):
    status: ClassVar[Status] = "cancelled"
    rejection: str | None = field(default=None, kw_only=True)  # when cancelled once rejected


Planning = Planned | Submitted | Approved | Rejected | Running | Completed | Cancelled
State = Nothing | Planning
Kind = TypeVar("Kind", bound=Campaign)
CAMPAIGN = tuple(f.name for f in dataclasses.fields(Campaign))


def initial_state() -> State:
    return Nothing()


def become(kind: type[Kind], state: Campaign, **changes: Any) -> Kind:
    """The same campaign in another status (what only the old status had is left behind)."""
    return kind(**{name: getattr(state, name) for name in CAMPAIGN} | changes)


def planned(state: State) -> Planning:
    if isinstance(state, Nothing):
        raise DomainError("There is no such campaign.")
    return state


def in_status(state: Campaign, *allowed: type[Campaign], doing: str) -> None:
    if not isinstance(state, allowed):
        raise DomainError(f"A {state.status} campaign cannot be {doing}.")
