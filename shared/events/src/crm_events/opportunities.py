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
