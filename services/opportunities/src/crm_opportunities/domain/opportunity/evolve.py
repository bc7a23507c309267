"""How each recorded event changes an opportunity."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import assert_never

from crm_events.opportunities import (
    OpportunityActivityLogged,
    OpportunityArchived,
    OpportunityCloseSummaryRecorded,
    OpportunityCompetitorRemoved,
    OpportunityCompetitorTracked,
    OpportunityDetailsUpdated,
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
    TeamShare,
)

from crm_opportunities.domain.opportunity.commands import Event
from crm_opportunities.domain.opportunity.state import (
    Closed,
    Competitor,
    Lost,
    Open,
    Opportunity,
    Quote,
    QuoteStatus,
    StageVisit,
    State,
    Suspended,
    Won,
    become,
)
from crm_opportunities.domain.settings import WON


def evolve(state: State, event: Event) -> State:
    if isinstance(event, OpportunityOpened):
        return Open(
            opportunity_id=event.opportunity_id,
            account_id=event.account_id,
            name=event.name,
            amount=event.amount,
            currency=event.currency,
            expected_close=event.expected_close,
            branch=event.branch,
            owner_id=event.owner_id,
            stage=event.stage,
            opened_at=event.opened_at,
            history=(StageVisit(event.stage, event.opened_at),),
            lead_id=event.lead_id,
            campaign_id=event.campaign_id,
            lines=event.lines,
        )
    assert isinstance(state, Opportunity), f"{type(event).__name__} needs an opened opportunity"
    return _status(state, event) or _deal(state, event)


def _status(state: Open | Suspended | Won | Lost, event: Event) -> State | None:
    """A change of status, or None when the event changes the deal within its status."""
    match event:
        case OpportunityStageChanged() if event.to_stage == WON and not isinstance(state, Closed):
            # histories from before OpportunityWon existed reach won by a stage change alone
            return become(Won, _deal(state, event))
        case OpportunitySuspended():
            return become(Suspended, state, suspended_at=event.at)
        case OpportunityReactivated():
            return become(Open, state)
        case OpportunityWon():
            return become(Won, state, amount=event.amount, lines=event.lines)
        case OpportunityLost():
            return become(Lost, state)
        case OpportunityCloseSummaryRecorded() if isinstance(state, Closed):
            return replace(state, summary=event)
        case OpportunityArchived() if isinstance(state, Closed):
            return replace(state, archived=True)
    return None


def _deal(state: Open | Suspended | Won | Lost, event: Event) -> Open | Suspended | Won | Lost:
    match event:
        case OpportunityStageChanged():
            visit = StageVisit(event.to_stage, event.changed_at)
            return replace(state, stage=event.to_stage, history=(*state.history, visit))
        case OpportunityDetailsUpdated():
            return replace(
                state,
                name=event.name,
                amount=event.amount,
                expected_close=event.expected_close,
                lines=event.lines,
            )
        case OpportunityActivityLogged():
            return replace(
                state,
                activities=state.activities + 1,
                activity_cost=state.activity_cost + event.cost,
            )
        case OpportunityTeamSet():
            return replace(state, team=event.team)
        case OpportunityOwnerChanged():
            transfers = (
                state.transfers | {event.transfer_id} if event.transfer_id else state.transfers
            )
            shares: dict[str, Decimal] = {}
            for m in state.team:  # the new owner takes the old one's credit, and is named once
                who = event.to_owner if m.user_id == event.from_owner else m.user_id
                shares[who] = shares.get(who, Decimal(0)) + m.share
            team = tuple(TeamShare(who, share) for who, share in shares.items())
            return replace(state, owner_id=event.to_owner, transfers=transfers, team=team)
        case OpportunityCompetitorTracked():
            others = tuple(c for c in state.competitors if c.name != event.competitor)
            tracked = Competitor(event.competitor, event.their_quote, event.strategy)
            return replace(state, competitors=(*others, tracked))
        case OpportunityCompetitorRemoved():
            kept = tuple(c for c in state.competitors if c.name != event.competitor)
            return replace(state, competitors=kept)
        case OpportunityQuoteAdded():
            older = tuple(
                replace(q, status="superseded") if q.status not in ("rejected",) else q
                for q in state.quotes
            )
            status: QuoteStatus = "pending_approval" if event.needs_approval else "draft"
            quote = Quote(
                event.quote_id,
                event.version,
                event.lines,
                event.total,
                event.discount_percent,
                status,
            )
            return replace(state, quotes=(*older, quote))
        case OpportunityQuoteApproved():
            return _set_quote(state, event.quote_id, "approved")
        case OpportunityQuoteRejected():
            return _set_quote(state, event.quote_id, "rejected")
        case OpportunityQuoteSent():
            return _set_quote(state, event.quote_id, "sent")
        case (
            OpportunityOpened()  # decide never opens an opened opportunity twice
            | OpportunitySuspended()
            | OpportunityReactivated()
            | OpportunityWon()
            | OpportunityLost()
            | OpportunityCloseSummaryRecorded()
            | OpportunityArchived()
        ):
            return state
        case _:
            assert_never(event)


def _set_quote(
    state: Open | Suspended | Won | Lost, quote_id: str, status: QuoteStatus
) -> Open | Suspended | Won | Lost:
    quotes = tuple(replace(q, status=status) if q.quote_id == quote_id else q for q in state.quotes)
    return replace(state, quotes=quotes)
