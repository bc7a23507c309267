"""The Opportunity aggregate (DOMAIN.md §2): pipeline, team, competitors, quotes, closing.

An opportunity is open, suspended, won or lost, and finally archived once its close summary is
recorded. Stages come from the branch's pipeline, which arrives in the commands that need it (so
`decide` stays pure); the last stage of every pipeline is `won`, and moving there is winning.
`commands` holds what it is asked and records, `state` what its history folds into (a type per
status), `decide` and `evolve` the two pure functions.
"""

from __future__ import annotations

from decimal import Decimal

from crm_events.leads import LeadConverted, OwnerTransferred
from crm_platform.domain import Decider

from crm_opportunities.domain.opportunity.commands import (
    AddQuote,
    Archive,
    ChangeStage,
    Command,
    DecideQuote,
    Event,
    LogActivity,
    Lose,
    OpenOpportunity,
    Pipeline,
    Reactivate,
    RecordCloseSummary,
    RemoveCompetitor,
    SendQuote,
    SetTeam,
    Suspend,
    TrackCompetitor,
    TransferOwnership,
    UpdateDetails,
    Win,
)
from crm_opportunities.domain.opportunity.decide import (
    ACTIVITY_KINDS,
    LOSS_REASONS,
    REACTIVATION_APPROVAL_DAYS,
    decide,
)
from crm_opportunities.domain.opportunity.evolve import evolve
from crm_opportunities.domain.opportunity.state import (
    Closed,
    Competitor,
    Lost,
    Nothing,
    Open,
    Opportunity,
    Quote,
    QuoteStatus,
    StageVisit,
    State,
    Status,
    Suspended,
    Won,
    initial_state,
)
from crm_opportunities.domain.settings import DEFAULT_PIPELINE

# kept for readers of the default pipeline (percent -> fraction)
PIPELINE: dict[str, Decimal] = {s.stage: s.probability / 100 for s in DEFAULT_PIPELINE}
FIRST_STAGE = DEFAULT_PIPELINE[0].stage

opportunity: Decider[Command, State, Event] = Decider(decide, evolve, initial_state)


def stream_id(opportunity_id: str) -> str:
    return f"opportunity-{opportunity_id}"


# --- reactions to other contexts (pure: a foreign event -> a command) ---------------------------
def on_lead_converted(e: LeadConverted, pipeline: Pipeline = DEFAULT_PIPELINE) -> OpenOpportunity:
    return OpenOpportunity(
        opportunity_id=e.opportunity_id,
        account_id=e.account_id,
        name=e.opportunity_name,
        amount=e.amount,
        currency=e.currency,
        expected_close=e.expected_close,
        branch=e.branch,
        owner_id=e.owner_id,
        at=e.converted_at,
        lead_id=e.lead_id,
        campaign_id=e.campaign_id,
        pipeline=pipeline,
        from_conversion=True,
    )


def on_owner_transferred(e: OwnerTransferred) -> TransferOwnership:
    return TransferOwnership(
        to_owner=e.to_user,
        reason=e.reason,
        at=e.transferred_at,
        transfer_id=e.transfer_id,
        from_owner=e.from_user,
    )


__all__ = [
    "ACTIVITY_KINDS",
    "FIRST_STAGE",
    "LOSS_REASONS",
    "PIPELINE",
    "REACTIVATION_APPROVAL_DAYS",
    "AddQuote",
    "Archive",
    "ChangeStage",
    "Closed",
    "Command",
    "Competitor",
    "DecideQuote",
    "Event",
    "LogActivity",
    "Lose",
    "Lost",
    "Nothing",
    "Open",
    "OpenOpportunity",
    "Opportunity",
    "Pipeline",
    "Quote",
    "QuoteStatus",
    "Reactivate",
    "RecordCloseSummary",
    "RemoveCompetitor",
    "SendQuote",
    "SetTeam",
    "StageVisit",
    "State",
    "Status",
    "Suspend",
    "Suspended",
    "TrackCompetitor",
    "TransferOwnership",
    "UpdateDetails",
    "Win",
    "Won",
    "decide",
    "evolve",
    "initial_state",
    "opportunity",
    "stream_id",
]
