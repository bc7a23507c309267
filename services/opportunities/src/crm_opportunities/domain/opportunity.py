"""The Opportunity aggregate (DOMAIN.md §2): pipeline, team, competitors, quotes, closing.

An opportunity is open, suspended, won or lost, and finally archived once its close summary is
recorded. Stages come from the branch's pipeline, which arrives in the commands that need it (so
`decide` stays pure); the last stage of every pipeline is `won`, and moving there is winning.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal, TypeAlias, assert_never

from crm_events.leads import LeadConverted, OwnerTransferred
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
from crm_platform.domain import Decider, DomainError

from crm_opportunities.domain.settings import (
    DEFAULT_DISCOUNT_THRESHOLD,
    DEFAULT_PIPELINE,
    WON,
)

# kept for readers of the default pipeline (percent -> fraction)
PIPELINE: dict[str, Decimal] = {s.stage: s.probability / 100 for s in DEFAULT_PIPELINE}
FIRST_STAGE = DEFAULT_PIPELINE[0].stage
LOSS_REASONS = frozenset(
    {"price", "product_fit", "relationship", "timing", "competitor", "no_decision", "other"}
)
ACTIVITY_KINDS = frozenset({"visit", "call", "meeting", "email", "demo"})
REACTIVATION_APPROVAL_DAYS = 90
CENT = Decimal("0.01")
Pipeline = tuple[PipelineStage, ...]


# --- commands: time, ids and configuration arrive in the command ------------------------------
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
    quote_id: str
    approve: bool
    by: str
    by_role: str
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


# --- state ------------------------------------------------------------------------------------
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
    status: Status = "open"
    suspended_at: datetime | None = None
    competitors: tuple[Competitor, ...] = ()
    quotes: tuple[Quote, ...] = ()
    activities: int = 0
    activity_cost: Decimal = Decimal(0)
    transfers: frozenset[str] = field(default_factory=frozenset)
    summary: OpportunityCloseSummaryRecorded | None = None
    archived: bool = False

    @property
    def current_quote(self) -> Quote | None:
        live = [q for q in self.quotes if q.status != "superseded"]
        return live[-1] if live else None


State = Nothing | Opportunity


def initial_state() -> State:
    return Nothing()


def _open(state: State) -> Opportunity:
    if not isinstance(state, Opportunity):
        raise DomainError("There is no such opportunity.")
    if state.status in ("won", "lost"):
        raise DomainError(f"This opportunity is {state.status}; it can no longer change.")
    if state.status == "suspended":
        raise DomainError("This opportunity is suspended; reactivate it first.")
    return state


def _stages(pipeline: Pipeline) -> list[str]:
    return [s.stage for s in pipeline]


def _quote_total(lines: tuple[QuoteLine, ...]) -> tuple[Decimal, Decimal]:
    listed = sum((ln.quantity * ln.unit_price for ln in lines), Decimal(0))
    net = sum(
        (ln.quantity * ln.unit_price * (100 - ln.discount_percent) / 100 for ln in lines),
        Decimal(0),
    )
    return listed.quantize(CENT, ROUND_HALF_UP), net.quantize(CENT, ROUND_HALF_UP)


def _won(state: Opportunity, at: datetime, pipeline: Pipeline) -> list[Event]:
    if WON not in _stages(pipeline):
        raise DomainError("The pipeline has no won stage.")
    quote = state.current_quote
    lines = (
        tuple(
            OpportunityLine(
                q.product,
                q.product_line,
                q.quantity,
                (q.unit_price * (100 - q.discount_percent) / 100).quantize(CENT, ROUND_HALF_UP),
            )
            for q in quote.lines
        )
        if quote is not None and quote.status in ("approved", "sent", "draft")
        else state.lines
    )
    amount = (
        quote.total
        if quote is not None and quote.status in ("approved", "sent", "draft")
        else state.amount
    )
    team = state.team or (TeamShare(state.owner_id, Decimal(100)),)
    return [
        OpportunityStageChanged(state.opportunity_id, state.stage, WON, at),
        OpportunityWon(
            opportunity_id=state.opportunity_id,
            account_id=state.account_id,
            branch=state.branch,
            owner_id=state.owner_id,
            amount=amount,
            currency=state.currency,
            lines=lines,
            team=team,
            lead_id=state.lead_id,
            campaign_id=state.campaign_id,
            won_at=at,
        ),
    ]


def decide(command: Command, state: State) -> list[Event]:
    match command:
        case OpenOpportunity():
            if isinstance(state, Opportunity):
                if command.from_conversion:
                    return []  # the same conversion delivered again
                raise DomainError("This opportunity has already been opened.")
            if command.amount <= 0:
                raise DomainError("The amount must be above zero.", field="amount")
            return [
                OpportunityOpened(
                    opportunity_id=command.opportunity_id,
                    account_id=command.account_id,
                    name=command.name,
                    amount=command.amount,
                    currency=command.currency,
                    expected_close=command.expected_close,
                    branch=command.branch,
                    owner_id=command.owner_id,
                    stage=command.pipeline[0].stage,
                    opened_at=command.at,
                    lead_id=command.lead_id,
                    campaign_id=command.campaign_id,
                    lines=command.lines,
                )
            ]
        case ChangeStage():
            if isinstance(state, Opportunity) and state.status in ("won", "lost"):
                raise DomainError(
                    f"This opportunity is already {state.status}; its stage can no longer change."
                )
            s = _open(state)
            stages = _stages(command.pipeline)
            if command.stage not in stages:
                raise DomainError(
                    f"'{command.stage}' is not a stage of the pipeline ({', '.join(stages)}).",
                    field="stage",
                )
            if command.stage == s.stage:
                raise DomainError(f"This opportunity is already in {s.stage}.", field="stage")
            if command.stage == WON:
                return _won(s, command.at, command.pipeline)
            return [OpportunityStageChanged(s.opportunity_id, s.stage, command.stage, command.at)]
        case UpdateDetails():
            s = _open(state)
            if command.amount <= 0:
                raise DomainError("The amount must be above zero.", field="amount")
            return [
                OpportunityDetailsUpdated(
                    s.opportunity_id,
                    command.name,
                    command.amount,
                    command.expected_close,
                    command.lines,
                    command.at,
                )
            ]
        case LogActivity():
            if not isinstance(state, Opportunity):
                raise DomainError("There is no such opportunity.")
            if command.kind not in ACTIVITY_KINDS:
                raise DomainError(
                    f"An activity is one of {', '.join(sorted(ACTIVITY_KINDS))}.", field="kind"
                )
            if command.cost < 0:
                raise DomainError("A cost cannot be negative.", field="cost")
            return [
                OpportunityActivityLogged(
                    state.opportunity_id,
                    command.activity_id,
                    command.kind,
                    command.by,
                    command.cost,
                    command.note,
                    command.at,
                )
            ]
        case SetTeam():
            s = _open(state)
            members = [m.user_id for m in command.team]
            if not command.team or len(set(members)) != len(members):
                raise DomainError("A team names each member once.", field="team")
            if any(m.share <= 0 for m in command.team):
                raise DomainError("Every member's credit share is above zero.", field="team")
            if sum(m.share for m in command.team) != 100:
                raise DomainError("The team's credit shares must add up to 100 %.", field="team")
            return [OpportunityTeamSet(s.opportunity_id, command.team, command.at)]
        case TransferOwnership():
            if command.transfer_id is not None:  # caused by a permanent transfer of an owner
                if (
                    not isinstance(state, Opportunity)
                    or state.status in ("won", "lost")
                    or command.transfer_id in state.transfers
                    or state.owner_id != command.from_owner
                ):
                    return []
                s = state
            else:
                s = _open(state)
                if command.to_owner == s.owner_id:
                    raise DomainError("The opportunity already belongs to them.", field="to_owner")
            return [
                OpportunityOwnerChanged(
                    s.opportunity_id,
                    s.owner_id,
                    command.to_owner,
                    command.reason,
                    command.transfer_id,
                    command.at,
                )
            ]
        case TrackCompetitor():
            s = _open(state)
            if command.their_quote is not None and command.their_quote < 0:
                raise DomainError("A quote cannot be negative.", field="their_quote")
            return [
                OpportunityCompetitorTracked(
                    s.opportunity_id,
                    command.competitor,
                    command.their_quote,
                    command.strategy,
                    command.at,
                )
            ]
        case RemoveCompetitor():
            s = _open(state)
            if command.competitor not in {c.name for c in s.competitors}:
                raise DomainError(
                    f"{command.competitor} is not tracked on this opportunity.", field="competitor"
                )
            return [OpportunityCompetitorRemoved(s.opportunity_id, command.competitor, command.at)]
        case AddQuote():
            s = _open(state)
            if not command.lines:
                raise DomainError("A quote has at least one line.", field="lines")
            for ln in command.lines:
                if ln.quantity <= 0 or ln.unit_price < 0:
                    raise DomainError(
                        "Quantities are above zero and prices not negative.", field="lines"
                    )
                if not 0 <= ln.discount_percent <= 100:
                    raise DomainError("A discount is a percentage.", field="lines")
            listed, total = _quote_total(command.lines)
            discount = (
                ((listed - total) / listed * 100).quantize(CENT, ROUND_HALF_UP)
                if listed
                else Decimal(0)
            )
            worst = max(ln.discount_percent for ln in command.lines)
            needs = max(discount, worst) > command.threshold_percent
            return [
                OpportunityQuoteAdded(
                    s.opportunity_id,
                    command.quote_id,
                    len(s.quotes) + 1,
                    command.lines,
                    listed,
                    total,
                    discount,
                    needs,
                    command.threshold_percent,
                    command.at,
                )
            ]
        case DecideQuote():
            s = _open(state)
            quote = _quote(s, command.quote_id)
            if command.by_role != "branch_manager":
                raise DomainError("Only the branch manager approves or rejects quotes.")
            if quote.status != "pending_approval":
                raise DomainError("This quote is not waiting for approval.")
            if command.approve:
                return [
                    OpportunityQuoteApproved(
                        s.opportunity_id, quote.quote_id, command.by, command.at
                    )
                ]
            if not command.reason.strip():
                raise DomainError("Say why the quote is rejected.", field="reason")
            return [
                OpportunityQuoteRejected(
                    s.opportunity_id, quote.quote_id, command.by, command.reason, command.at
                )
            ]
        case SendQuote():
            s = _open(state)
            quote = _quote(s, command.quote_id)
            if quote.status == "pending_approval":
                raise DomainError(
                    "This quote needs the branch manager's approval before it can be sent."
                )
            if quote.status in ("rejected", "superseded", "sent"):
                raise DomainError(f"This quote is {quote.status}; it cannot be sent.")
            return [OpportunityQuoteSent(s.opportunity_id, quote.quote_id, command.at)]
        case Suspend():
            s = _open(state)
            if not command.reason.strip():
                raise DomainError("Say why the opportunity is suspended.", field="reason")
            return [OpportunitySuspended(s.opportunity_id, command.reason, command.at)]
        case Reactivate():
            if not isinstance(state, Opportunity) or state.status != "suspended":
                raise DomainError("Only a suspended opportunity can be reactivated.")
            assert state.suspended_at is not None
            days = (command.at - state.suspended_at).days
            approved_by = None
            if days > REACTIVATION_APPROVAL_DAYS:
                if command.by_role != "branch_manager":
                    raise DomainError(
                        f"It was suspended for {days} days; after "
                        f"{REACTIVATION_APPROVAL_DAYS} days the branch manager reactivates it."
                    )
                approved_by = command.by
            return [OpportunityReactivated(state.opportunity_id, days, approved_by, command.at)]
        case Win():
            return _won(_open(state), command.at, command.pipeline)
        case Lose():
            s = _open(state)
            if command.reason not in LOSS_REASONS:
                raise DomainError(
                    f"The reason is one of {', '.join(sorted(LOSS_REASONS))}.", field="reason"
                )
            if command.reason == "competitor" and not command.competitor:
                raise DomainError("Name the competitor that won.", field="competitor")
            return [
                OpportunityLost(
                    s.opportunity_id,
                    s.branch,
                    s.owner_id,
                    s.amount,
                    s.stage,
                    command.reason,
                    command.competitor,
                    command.competitor_price,
                    s.campaign_id,
                    command.at,
                )
            ]
        case RecordCloseSummary():
            if not isinstance(state, Opportunity) or state.status not in ("won", "lost"):
                raise DomainError(
                    "A close summary is recorded once the opportunity is won or lost."
                )
            if state.archived:
                raise DomainError("This opportunity is archived.")
            if command.reason not in LOSS_REASONS | {"won"} and not command.reason.strip():
                raise DomainError("Give the reason.", field="reason")
            if not command.lessons.strip():
                raise DomainError("Write down the lessons learned.", field="lessons")
            return [
                OpportunityCloseSummaryRecorded(
                    state.opportunity_id,
                    state.status,
                    command.reason,
                    command.competitor,
                    command.competitor_price,
                    command.lessons,
                    command.at,
                )
            ]
        case Archive():
            if not isinstance(state, Opportunity) or state.status not in ("won", "lost"):
                raise DomainError("Only a won or lost opportunity can be archived.")
            if state.summary is None:
                raise DomainError("Record the close summary before archiving.")
            if state.archived:
                return []
            return [OpportunityArchived(state.opportunity_id, command.at)]
        case _:
            assert_never(command)


def _quote(state: Opportunity, quote_id: str) -> Quote:
    for q in state.quotes:
        if q.quote_id == quote_id:
            return q
    raise DomainError("There is no such quote on this opportunity.", field="quote_id")


def _set_quote(state: Opportunity, quote_id: str, status: QuoteStatus) -> Opportunity:
    return replace(
        state,
        quotes=tuple(
            replace(q, status=status) if q.quote_id == quote_id else q for q in state.quotes
        ),
    )


def evolve(state: State, event: Event) -> State:
    if isinstance(event, OpportunityOpened):
        return Opportunity(
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
    return _evolve_open(state, event)


def _evolve_open(state: Opportunity, event: Event) -> Opportunity:
    match event:
        case OpportunityStageChanged():
            return replace(
                state,
                stage=event.to_stage,
                # histories from before OpportunityWon existed reach won by a stage change alone
                status="won" if event.to_stage == WON else state.status,
                history=(*state.history, StageVisit(event.to_stage, event.changed_at)),
            )
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
            return replace(
                state,
                competitors=(
                    *others,
                    Competitor(event.competitor, event.their_quote, event.strategy),
                ),
            )
        case OpportunityCompetitorRemoved():
            return replace(
                state,
                competitors=tuple(c for c in state.competitors if c.name != event.competitor),
            )
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
        case OpportunitySuspended():
            return replace(state, status="suspended", suspended_at=event.at)
        case OpportunityReactivated():
            return replace(state, status="open", suspended_at=None)
        case OpportunityWon():
            return replace(state, status="won", amount=event.amount, lines=event.lines)
        case OpportunityLost():
            return replace(state, status="lost")
        case OpportunityCloseSummaryRecorded():
            return replace(state, summary=event)
        case OpportunityArchived():
            return replace(state, archived=True)
        case OpportunityOpened():
            return state  # decide never opens an opened opportunity twice
        case _:
            assert_never(event)


opportunity: Decider[Command, State, Event] = Decider(decide, evolve, initial_state)


def stream_id(opportunity_id: str) -> str:
    return f"opportunity-{opportunity_id}"


# --- reactions to other contexts (pure: a foreign event -> a command, or None) ------------------
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
