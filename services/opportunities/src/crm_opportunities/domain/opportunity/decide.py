"""What an opportunity decides: each command checked against its rules and the deal's status, and
answered with the events it records (or a DomainError in words a salesperson understands)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import assert_never

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
    QuoteLine,
    TeamShare,
)
from crm_platform.domain import DomainError

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
from crm_opportunities.domain.opportunity.state import (
    Closed,
    Nothing,
    Open,
    Opportunity,
    State,
    Suspended,
    quote_of,
    working,
)
from crm_opportunities.domain.settings import WON

LOSS_REASONS = frozenset(
    {"price", "product_fit", "relationship", "timing", "competitor", "no_decision", "other"}
)
ACTIVITY_KINDS = frozenset({"visit", "call", "meeting", "email", "demo"})
REACTIVATION_APPROVAL_DAYS = 90
CENT = Decimal("0.01")

Pipelined = OpenOpportunity | ChangeStage | Win
Worked = UpdateDetails | LogActivity | SetTeam | TransferOwnership
Competing = TrackCompetitor | RemoveCompetitor
Quoting = AddQuote | DecideQuote | SendQuote
Closing = Suspend | Reactivate | Lose | RecordCloseSummary | Archive


def decide(command: Command, state: State) -> list[Event]:
    match command:
        case OpenOpportunity() | ChangeStage() | Win():
            return _pipeline(command, state)
        case UpdateDetails() | LogActivity() | SetTeam() | TransferOwnership():
            return _work(command, state)
        case TrackCompetitor() | RemoveCompetitor():
            return _competition(command, working(state))
        case AddQuote() | DecideQuote() | SendQuote():
            return _quotes(command, working(state))
        case Suspend() | Reactivate() | Lose() | RecordCloseSummary() | Archive():
            return _closing(command, state)
        case _:
            assert_never(command)


# --- opening and moving through the pipeline ----------------------------------------------------
def _pipeline(command: Pipelined, state: State) -> list[Event]:
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
            if isinstance(state, Closed):
                raise DomainError(
                    f"This opportunity is already {state.status}; its stage can no longer change."
                )
            s = working(state)
            stages = _stages(command.pipeline)
            if command.stage not in stages:
                raise DomainError(
                    f"'{command.stage}' is not a stage of the pipeline ({', '.join(stages)}).",
                    field="stage",
                )
            if command.stage == s.stage:
                raise DomainError(f"This opportunity is already in {s.stage}.", field="stage")
            if command.stage == WON:
                return _won(s, command)
            return [OpportunityStageChanged(s.opportunity_id, s.stage, command.stage, command.at)]
        case Win():
            return _won(working(state), command)


def _stages(pipeline: Pipeline) -> list[str]:
    return [s.stage for s in pipeline]


def _won(state: Open, command: ChangeStage | Win) -> list[Event]:
    if WON not in _stages(command.pipeline):
        raise DomainError("The pipeline has no won stage.")
    quote = state.current_quote
    quoted = quote is not None and quote.status in ("approved", "sent", "draft")
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
        if quote is not None and quoted
        else state.lines
    )
    amount = quote.total if quote is not None and quoted else state.amount
    team = state.team or (TeamShare(state.owner_id, Decimal(100)),)
    return [
        OpportunityStageChanged(state.opportunity_id, state.stage, WON, command.at),
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
            won_at=command.at,
        ),
    ]


# --- working the deal: details, activities, team, owner -----------------------------------------
def _work(command: Worked, state: State) -> list[Event]:
    match command:
        case UpdateDetails():
            s = working(state)
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
            s = working(state)
            members = [m.user_id for m in command.team]
            if not command.team or len(set(members)) != len(members):
                raise DomainError("A team names each member once.", field="team")
            if any(m.share <= 0 for m in command.team):
                raise DomainError("Every member's credit share is above zero.", field="team")
            if sum(m.share for m in command.team) != 100:
                raise DomainError("The team's credit shares must add up to 100 %.", field="team")
            return [OpportunityTeamSet(s.opportunity_id, command.team, command.at)]
        case TransferOwnership():
            return _transfer(command, state)


def _transfer(command: TransferOwnership, state: State) -> list[Event]:
    if command.transfer_id is not None:  # caused by a permanent transfer of an owner
        if (
            isinstance(state, Nothing | Closed)
            or command.transfer_id in state.transfers
            or state.owner_id != command.from_owner
        ):
            return []
        s: Open | Suspended = state
    else:
        s = working(state)
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


# --- competitors --------------------------------------------------------------------------------
def _competition(command: Competing, s: Open) -> list[Event]:
    match command:
        case TrackCompetitor():
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
            if command.competitor not in {c.name for c in s.competitors}:
                raise DomainError(
                    f"{command.competitor} is not tracked on this opportunity.", field="competitor"
                )
            return [OpportunityCompetitorRemoved(s.opportunity_id, command.competitor, command.at)]


# --- quotes -------------------------------------------------------------------------------------
def _quotes(command: Quoting, s: Open) -> list[Event]:
    match command:
        case AddQuote():
            return _add_quote(command, s)
        case DecideQuote():
            quote = quote_of(s, command.quote_id)
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
            quote = quote_of(s, command.quote_id)
            if quote.status == "pending_approval":
                raise DomainError(
                    "This quote needs the branch manager's approval before it can be sent."
                )
            if quote.status in ("rejected", "superseded", "sent"):
                raise DomainError(f"This quote is {quote.status}; it cannot be sent.")
            return [OpportunityQuoteSent(s.opportunity_id, quote.quote_id, command.at)]


def _quote_total(lines: tuple[QuoteLine, ...]) -> tuple[Decimal, Decimal]:
    listed = sum((ln.quantity * ln.unit_price for ln in lines), Decimal(0))
    net = sum(
        (ln.quantity * ln.unit_price * (100 - ln.discount_percent) / 100 for ln in lines),
        Decimal(0),
    )
    return listed.quantize(CENT, ROUND_HALF_UP), net.quantize(CENT, ROUND_HALF_UP)


def _add_quote(command: AddQuote, s: Open) -> list[Event]:
    if not command.lines:
        raise DomainError("A quote has at least one line.", field="lines")
    for ln in command.lines:
        if ln.quantity <= 0 or ln.unit_price < 0:
            raise DomainError("Quantities are above zero and prices not negative.", field="lines")
        if not 0 <= ln.discount_percent <= 100:
            raise DomainError("A discount is a percentage.", field="lines")
    listed, total = _quote_total(command.lines)
    discount = (
        ((listed - total) / listed * 100).quantize(CENT, ROUND_HALF_UP) if listed else Decimal(0)
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


# --- pausing and closing ------------------------------------------------------------------------
def _closing(command: Closing, state: State) -> list[Event]:
    match command:
        case Suspend():
            s = working(state)
            if not command.reason.strip():
                raise DomainError("Say why the opportunity is suspended.", field="reason")
            return [OpportunitySuspended(s.opportunity_id, command.reason, command.at)]
        case Reactivate():
            return _reactivate(command, state)
        case Lose():
            return _lose(command, working(state))
        case RecordCloseSummary():
            if not isinstance(state, Closed):
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
            if not isinstance(state, Closed):
                raise DomainError("Only a won or lost opportunity can be archived.")
            if state.summary is None:
                raise DomainError("Record the close summary before archiving.")
            if state.archived:
                return []
            return [OpportunityArchived(state.opportunity_id, command.at)]


def _reactivate(command: Reactivate, state: State) -> list[Event]:
    if not isinstance(state, Suspended):
        raise DomainError("Only a suspended opportunity can be reactivated.")
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


def _lose(command: Lose, s: Open) -> list[Event]:
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
