"""The Opportunity aggregate (DOMAIN.md §2), slice of the walking skeleton: open, change stage."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import assert_never

from crm_events.opportunities import OpportunityOpened, OpportunityStageChanged
from crm_platform.domain import Decider, DomainError

# The default pipeline and its probabilities (DOMAIN.md §2); `won` is the terminal stage.
PIPELINE: dict[str, Decimal] = {
    "prospecting": Decimal("0.10"),
    "bidding": Decimal("0.40"),
    "negotiation": Decimal("0.70"),
    "won": Decimal("1.00"),
}
FIRST_STAGE = "prospecting"
CLOSED_STAGES = frozenset({"won"})


# --- commands: time and ids arrive in the command, so `decide` stays pure -------------------------
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


@dataclass(frozen=True, slots=True)
class ChangeStage:
    stage: str
    at: datetime


Command = OpenOpportunity | ChangeStage
Event = OpportunityOpened | OpportunityStageChanged


# --- state ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class StageVisit:
    stage: str
    entered_at: datetime


@dataclass(frozen=True, slots=True)
class Nothing:
    """No opportunity has been opened on this stream."""


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


State = Nothing | Opportunity


def initial_state() -> State:
    return Nothing()


def decide(command: Command, state: State) -> list[Event]:
    match command:
        case OpenOpportunity():
            if isinstance(state, Opportunity):
                raise DomainError("This opportunity has already been opened.")
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
                    stage=FIRST_STAGE,
                    opened_at=command.at,
                )
            ]
        case ChangeStage():
            if not isinstance(state, Opportunity):
                raise DomainError("There is no such opportunity.")
            if command.stage not in PIPELINE:
                raise DomainError(
                    f"'{command.stage}' is not a stage of the pipeline ({', '.join(PIPELINE)}).",
                    field="stage",
                )
            if state.stage in CLOSED_STAGES:
                raise DomainError(
                    f"This opportunity is already {state.stage}; its stage can no longer change."
                )
            if command.stage == state.stage:
                raise DomainError(f"This opportunity is already in {state.stage}.", field="stage")
            return [
                OpportunityStageChanged(
                    opportunity_id=state.opportunity_id,
                    from_stage=state.stage,
                    to_stage=command.stage,
                    changed_at=command.at,
                )
            ]
        case _:
            assert_never(command)


def evolve(state: State, event: Event) -> State:
    match event:
        case OpportunityOpened():
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
            )
        case OpportunityStageChanged():
            assert isinstance(state, Opportunity), "a stage change needs an opened opportunity"
            return replace(
                state,
                stage=event.to_stage,
                history=(*state.history, StageVisit(event.to_stage, event.changed_at)),
            )
        case _:
            assert_never(event)


opportunity: Decider[Command, State, Event] = Decider(decide, evolve, initial_state)


def stream_id(opportunity_id: str) -> str:
    return f"opportunity-{opportunity_id}"
