from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from crm_events.opportunities import OpportunityOpened, OpportunityStageChanged
from crm_opportunities.domain.opportunity import (
    ChangeStage,
    OpenOpportunity,
    Opportunity,
    opportunity,
)
from crm_platform.domain import DomainError
from crm_platform.testing import Spec

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
T1 = datetime(2026, 11, 8, 9, 0, tzinfo=UTC)
spec = Spec(opportunity)

# the fields the command and its event share, in order
DEAL = (
    "o1",
    "a1",
    "Line 3 retrofit",
    Decimal("250000.00"),
    "CNY",
    date(2027, 3, 31),
    "SH01",
    "alice",
)
OPEN = OpenOpportunity(*DEAL, T0)
OPENED = OpportunityOpened(*DEAL, "prospecting", T0)


def test_opening_starts_in_the_first_stage() -> None:
    spec.then(OPEN, [OPENED])


def test_an_opportunity_opens_once() -> None:
    with pytest.raises(DomainError, match="already been opened"):
        spec.given(OPENED).when(OPEN)


def test_a_stage_change_records_where_it_came_from_and_when() -> None:
    spec.given(OPENED).then(
        ChangeStage("bidding", T1), [OpportunityStageChanged("o1", "prospecting", "bidding", T1)]
    )


def test_stages_may_go_back_while_open() -> None:
    moved = OpportunityStageChanged("o1", "prospecting", "negotiation", T1)
    spec.given(OPENED, moved).then(
        ChangeStage("bidding", T1), [OpportunityStageChanged("o1", "negotiation", "bidding", T1)]
    )


@pytest.mark.parametrize("stage", ["lost", "", "Bidding"])
def test_unknown_stages_are_refused_naming_the_field(stage: str) -> None:
    with pytest.raises(DomainError) as refused:
        spec.given(OPENED).when(ChangeStage(stage, T1))
    assert refused.value.field == "stage"


def test_the_same_stage_is_refused() -> None:
    with pytest.raises(DomainError, match="already in prospecting"):
        spec.given(OPENED).when(ChangeStage("prospecting", T1))


def test_won_is_final() -> None:
    won = OpportunityStageChanged("o1", "negotiation", "won", T1)
    with pytest.raises(DomainError, match="already won"):
        spec.given(OPENED, won).when(ChangeStage("bidding", T1))


def test_a_stage_change_needs_an_opportunity() -> None:
    with pytest.raises(DomainError, match="no such opportunity"):
        spec.when(ChangeStage("bidding", T1))


def test_evolve_keeps_the_stage_history_with_times() -> None:
    state = opportunity.fold([OPENED, OpportunityStageChanged("o1", "prospecting", "bidding", T1)])
    assert isinstance(state, Opportunity)
    assert state.stage == "bidding"
    assert [(v.stage, v.entered_at) for v in state.history] == [
        ("prospecting", T0),
        ("bidding", T1),
    ]
