"""Events of the `opportunities` context (stream ids: `opportunity-<uuid>`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from crm_events.registry import event

CONTEXT = "opportunities"


@event("OpportunityOpened")
@dataclass(frozen=True, slots=True)
class OpportunityOpened:
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


@event("OpportunityStageChanged")
@dataclass(frozen=True, slots=True)
class OpportunityStageChanged:
    opportunity_id: str
    from_stage: str
    to_stage: str
    changed_at: datetime


# --- crossing contexts: the contracts context drafts a contract from this -----------------------
@dataclass(frozen=True, slots=True)
class OpportunityLine:
    product: str
    product_line: str
    quantity: Decimal
    unit_price: Decimal


@dataclass(frozen=True, slots=True)
class TeamShare:
    user_id: str
    share: Decimal  # percent; a team's shares add up to 100


@event("OpportunityWon")
@dataclass(frozen=True, slots=True)
class OpportunityWon:
    """The deal is won: everything the contracts context needs to draft the contract."""

    opportunity_id: str
    account_id: str
    branch: str
    owner_id: str
    amount: Decimal
    currency: str
    lines: tuple[OpportunityLine, ...]
    team: tuple[TeamShare, ...]
    lead_id: str | None
    campaign_id: str | None
    won_at: datetime
