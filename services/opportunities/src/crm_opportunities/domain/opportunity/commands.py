"""What an opportunity is asked (commands: time, ids and configuration arrive in them, so `decide`
stays pure) and what it records (its events)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TypeAlias

from crm_events.opportunities import (
    OpportunityActivityLogged,
    OpportunityArchived,
    OpportunityCloseSummaryRecorded,
    OpportunityCompetitorRemoved,
    OpportunityCompetitorTracked,
    OpportunityDetailsUpdated,
    OpportunityLine,
    OpportunityLost,
    OpportunityOpened,
    OpportunityOwnerChanged,
    OpportunityQuoteAdded,
    OpportunityQuoteApproved,
    OpportunityQuoteRejected,
    OpportunityQuoteSent,
    OpportunityReactivated,
    OpportunityStageChanged,
    OpportunitySuspended,
    OpportunityTeamSet,
    OpportunityWon,
    PipelineStage,
    QuoteLine,
    TeamShare,
)

from crm_opportunities.domain.settings import (
    DEFAULT_DISCOUNT_THRESHOLD,
    DEFAULT_PIPELINE,
)

Pipeline = tuple[PipelineStage, ...]


@dataclass(frozen=True, slots=True)
class OpenOpportunity:
    opportunity_id: str
    account_id: str
    name: str
    amount: Decimal
    currency: str
    expected_close: date
    branch: str
    owner_id: str
    at: datetime
    lead_id: str | None = None
    campaign_id: str | None = None
    lines: tuple[OpportunityLine, ...] = ()
    pipeline: Pipeline = DEFAULT_PIPELINE
    from_conversion: bool = False  # opened by a lead's conversion: a repeat is no error


@dataclass(frozen=True, slots=True)
class ChangeStage:
    stage: str
    at: datetime
    pipeline: Pipeline = DEFAULT_PIPELINE


@dataclass(frozen=True, slots=True)
class UpdateDetails:
    name: str
    amount: Decimal
    expected_close: date
    lines: tuple[OpportunityLine, ...]
    at: datetime


@dataclass(frozen=True, slots=True)
class LogActivity:
    activity_id: str
    kind: str
    by: str
    cost: Decimal
    note: str
    at: datetime


@dataclass(frozen=True, slots=True)
class SetTeam:
    team: tuple[TeamShare, ...]
    at: datetime


@dataclass(frozen=True, slots=True)
class TransferOwnership:
    to_owner: str
    reason: str
    at: datetime
    transfer_id: str | None = None  # set when a permanent transfer of an owner causes it
    from_owner: str | None = None  # with transfer_id: only records of this owner move


@dataclass(frozen=True, slots=True)
class TrackCompetitor:
    competitor: str
    their_quote: Decimal | None
    strategy: str
    at: datetime


@dataclass(frozen=True, slots=True)
class RemoveCompetitor:
    competitor: str
    at: datetime


@dataclass(frozen=True, slots=True)
class AddQuote:
    quote_id: str
    lines: tuple[QuoteLine, ...]
    at: datetime
    threshold_percent: Decimal = DEFAULT_DISCOUNT_THRESHOLD


@dataclass(frozen=True, slots=True)
class DecideQuote:
    """Approve or reject a quote waiting for approval (the branch manager's: the route says so)."""

    quote_id: str
    approve: bool
    by: str
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class SendQuote:
    quote_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Suspend:
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Reactivate:
    at: datetime
    by: str
    by_role: str


@dataclass(frozen=True, slots=True)
class Win:
    at: datetime
    pipeline: Pipeline = DEFAULT_PIPELINE


@dataclass(frozen=True, slots=True)
class Lose:
    reason: str
    competitor: str | None
    competitor_price: Decimal | None
    at: datetime


@dataclass(frozen=True, slots=True)
class RecordCloseSummary:
    reason: str
    competitor: str | None
    competitor_price: Decimal | None
    lessons: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Archive:
    at: datetime


Command: TypeAlias = (
    OpenOpportunity
    | ChangeStage
    | UpdateDetails
    | LogActivity
    | SetTeam
    | TransferOwnership
    | TrackCompetitor
    | RemoveCompetitor
    | AddQuote
    | DecideQuote
    | SendQuote
    | Suspend
    | Reactivate
    | Win
    | Lose
    | RecordCloseSummary
    | Archive
)
Event: TypeAlias = (
    OpportunityOpened
    | OpportunityStageChanged
    | OpportunityDetailsUpdated
    | OpportunityActivityLogged
    | OpportunityTeamSet
    | OpportunityOwnerChanged
    | OpportunityCompetitorTracked
    | OpportunityCompetitorRemoved
    | OpportunityQuoteAdded
    | OpportunityQuoteApproved
    | OpportunityQuoteRejected
    | OpportunityQuoteSent
    | OpportunitySuspended
    | OpportunityReactivated
    | OpportunityWon
    | OpportunityLost
    | OpportunityCloseSummaryRecorded
    | OpportunityArchived
)
