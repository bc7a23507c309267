"""Events of the `opportunities` context (stream ids: `opportunity-<uuid>`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from crm_events.registry import event

CONTEXT = "opportunities"


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
    lead_id: str | None = None
    campaign_id: str | None = None
    lines: tuple[OpportunityLine, ...] = ()


@event("OpportunityStageChanged")
@dataclass(frozen=True, slots=True)
class OpportunityStageChanged:
    opportunity_id: str
    from_stage: str
    to_stage: str
    changed_at: datetime


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


@event("OpportunityDetailsUpdated")
@dataclass(frozen=True, slots=True)
class OpportunityDetailsUpdated:
    opportunity_id: str
    name: str
    amount: Decimal
    expected_close: date
    lines: tuple[OpportunityLine, ...]
    updated_at: datetime


@event("OpportunityActivityLogged")
@dataclass(frozen=True, slots=True)
class OpportunityActivityLogged:
    opportunity_id: str
    activity_id: str
    kind: str  # visit | call | meeting | email | demo
    by: str
    cost: Decimal
    note: str
    at: datetime


@event("OpportunityTeamSet")
@dataclass(frozen=True, slots=True)
class OpportunityTeamSet:
    opportunity_id: str
    team: tuple[TeamShare, ...]
    at: datetime


@event("OpportunityOwnerChanged")
@dataclass(frozen=True, slots=True)
class OpportunityOwnerChanged:
    opportunity_id: str
    from_owner: str
    to_owner: str
    reason: str
    transfer_id: str | None
    at: datetime


@event("OpportunityCompetitorTracked")
@dataclass(frozen=True, slots=True)
class OpportunityCompetitorTracked:
    opportunity_id: str
    competitor: str
    their_quote: Decimal | None
    strategy: str
    at: datetime


@event("OpportunityCompetitorRemoved")
@dataclass(frozen=True, slots=True)
class OpportunityCompetitorRemoved:
    opportunity_id: str
    competitor: str
    at: datetime


@dataclass(frozen=True, slots=True)
class QuoteLine:
    product: str
    product_line: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal


@event("OpportunityQuoteAdded")
@dataclass(frozen=True, slots=True)
class OpportunityQuoteAdded:
    """A new quote version; it supersedes the current one. Above the branch's discount threshold it
    waits for the branch manager's approval before it can be sent."""

    opportunity_id: str
    quote_id: str
    version: int
    lines: tuple[QuoteLine, ...]
    list_total: Decimal
    total: Decimal
    discount_percent: Decimal  # overall: 1 - total / list_total
    needs_approval: bool
    threshold_percent: Decimal
    at: datetime


@event("OpportunityQuoteApproved")
@dataclass(frozen=True, slots=True)
class OpportunityQuoteApproved:
    opportunity_id: str
    quote_id: str
    by: str
    at: datetime


@event("OpportunityQuoteRejected")
@dataclass(frozen=True, slots=True)
class OpportunityQuoteRejected:
    opportunity_id: str
    quote_id: str
    by: str
    reason: str
    at: datetime


@event("OpportunityQuoteSent")
@dataclass(frozen=True, slots=True)
class OpportunityQuoteSent:
    opportunity_id: str
    quote_id: str
    at: datetime


@event("OpportunitySuspended")
@dataclass(frozen=True, slots=True)
class OpportunitySuspended:
    opportunity_id: str
    reason: str
    at: datetime


@event("OpportunityReactivated")
@dataclass(frozen=True, slots=True)
class OpportunityReactivated:
    opportunity_id: str
    suspended_days: int
    approved_by: str | None  # a manager, when suspended for more than 90 days
    at: datetime


@event("OpportunityLost")
@dataclass(frozen=True, slots=True)
class OpportunityLost:
    opportunity_id: str
    branch: str
    owner_id: str
    amount: Decimal
    stage: str  # the stage it was lost at
    reason: str  # price | product_fit | relationship | timing | competitor | no_decision | other
    competitor: str | None
    competitor_price: Decimal | None
    campaign_id: str | None
    lost_at: datetime


@event("OpportunityCloseSummaryRecorded")
@dataclass(frozen=True, slots=True)
class OpportunityCloseSummaryRecorded:
    opportunity_id: str
    outcome: str  # won | lost
    reason: str
    competitor: str | None
    competitor_price: Decimal | None
    lessons: str
    at: datetime


@event("OpportunityArchived")
@dataclass(frozen=True, slots=True)
class OpportunityArchived:
    opportunity_id: str
    at: datetime


# --- configuration: the pipeline and the quote discount threshold (company, overridable per branch)
@dataclass(frozen=True, slots=True)
class PipelineStage:
    stage: str
    probability: Decimal  # percent


@event("SalesSettingsChanged")
@dataclass(frozen=True, slots=True)
class SalesSettingsChanged:
    """Stream `sales-settings-company` or `sales-settings-<branch>`; None keeps the wider setting."""

    scope: str  # "company" or a branch
    pipeline: tuple[PipelineStage, ...] | None
    discount_threshold_percent: Decimal | None
    at: datetime


# --- quotas (stream `quota-<year>-<dimension>-<key>`) ------------------------------------------
@event("QuotaSet")
@dataclass(frozen=True, slots=True)
class QuotaSet:
    quota_id: str
    year: int
    dimension: str  # branch | rep | product_line | channel
    key: str
    branch: str | None
    annual: Decimal
    months: tuple[Decimal, ...]  # 12, adding up exactly to `annual`
    split: str  # even | last_year
    at: datetime


@event("QuotaAdjusted")
@dataclass(frozen=True, slots=True)
class QuotaAdjusted:
    quota_id: str
    from_month: int  # 1..12
    percent: Decimal | None
    amount: Decimal | None
    reason: str
    months: tuple[Decimal, ...]  # the 12 months after the adjustment
    annual: Decimal
    at: datetime
