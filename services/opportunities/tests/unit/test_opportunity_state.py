"""What an opportunity's history folds into, field by field: what a read of the record answers and
what every later decision rests on."""

from dataclasses import dataclass, replace
from datetime import date

import pytest
from crm_events.opportunities import (
    OpportunityActivityLogged,
    OpportunityArchived,
    OpportunityCloseSummaryRecorded,
    OpportunityCompetitorRemoved,
    OpportunityCompetitorTracked,
    OpportunityDetailsUpdated,
    OpportunityLine,
    OpportunityLost,
    OpportunityOwnerChanged,
    OpportunityQuoteAdded,
    OpportunityQuoteApproved,
    OpportunityQuoteRejected,
    OpportunityQuoteSent,
    OpportunityReactivated,
    OpportunityStageChanged,
    OpportunitySuspended,
    OpportunityTeamSet,
    QuoteLine,
    TeamShare,
)
from crm_opportunities.domain.opportunity import (
    Competitor,
    Lost,
    Nothing,
    Open,
    Opportunity,
    Quote,
    StageVisit,
    Suspended,
    Won,
    opportunity,
)
from crm_opportunities.domain.opportunity.state import become
from crm_platform.testing import Spec

from .opportunity_history import LINE, OPENED, T0, T1, T2, D, won

FRESH = Open(
    opportunity_id="o1",
    account_id="a1",
    name="Line 3 retrofit",
    amount=D("100000.00"),
    currency="CNY",
    expected_close=date(2027, 3, 31),
    branch="SH01",
    owner_id="alice",
    stage="prospecting",
    opened_at=T0,
    history=(StageVisit("prospecting", T0),),
    lead_id="lead-1",
    campaign_id="camp-1",
    lines=(LINE,),
)
PUMP = QuoteLine("PX-200 pump", "pumps", D(2), D("50000.00"), D(5))
TEAM = (TeamShare("alice", D(60)), TeamShare("carol", D(40)))


def state(*events: object) -> Opportunity:
    folded = Spec(opportunity).given(OPENED, *events).state()
    assert isinstance(folded, Opportunity)
    return folded


def added(quote_id: str, version: int, *, needs_approval: bool = False) -> OpportunityQuoteAdded:
    return OpportunityQuoteAdded(
        "o1",
        quote_id,
        version,
        (PUMP,),
        D("100000.00"),
        D("95000.00"),
        D("5.00"),
        needs_approval,
        D(10),
        T1,
    )


def quote(quote_id: str, version: int, status: str) -> Quote:
    return Quote(quote_id, version, (PUMP,), D("95000.00"), D("5.00"), status)  # type: ignore[arg-type]


# --- opening and stages ---------------------------------------------------------------------------
def test_opening_records_every_detail_and_starts_the_stage_history() -> None:
    assert Spec(opportunity).given(OPENED).state() == FRESH
    assert FRESH.status == "open" and FRESH.quotes == () and FRESH.activity_cost == 0


def test_an_opening_delivered_twice_changes_nothing() -> None:
    assert state(OPENED) == FRESH


def test_a_stage_change_moves_the_stage_and_adds_the_visit_with_its_time() -> None:
    assert state(
        OpportunityStageChanged("o1", "prospecting", "bidding", T1),
        OpportunityStageChanged("o1", "bidding", "negotiation", T2),
    ) == replace(
        FRESH,
        stage="negotiation",
        history=(
            StageVisit("prospecting", T0),
            StageVisit("bidding", T1),
            StageVisit("negotiation", T2),
        ),
    )


def test_a_history_that_reaches_won_by_a_stage_change_alone_is_won() -> None:
    assert state(OpportunityStageChanged("o1", "prospecting", "won", T1)).status == "won"


# --- details, activities, team, owners ----------------------------------------------------------
def test_updated_details_replace_name_amount_close_date_and_lines() -> None:
    valve = OpportunityLine("V-9 valve", "valves", D(10), D("800.00"))
    updated = OpportunityDetailsUpdated(
        "o1", "Line 3 and 4 retrofit", D("8000.00"), date(2027, 6, 30), (valve,), T1
    )
    assert state(updated) == replace(
        FRESH,
        name="Line 3 and 4 retrofit",
        amount=D("8000.00"),
        expected_close=date(2027, 6, 30),
        lines=(valve,),
    )


def test_activities_are_counted_and_their_costs_added_up() -> None:
    visit = OpportunityActivityLogged("o1", "a1", "visit", "alice", D("320.50"), "site", T1)
    call = OpportunityActivityLogged("o1", "a2", "call", "alice", D("100.00"), "", T2)
    assert state(visit, call) == replace(FRESH, activities=2, activity_cost=D("420.50"))


def test_a_team_set_replaces_the_team() -> None:
    assert state(OpportunityTeamSet("o1", TEAM, T1)) == replace(FRESH, team=TEAM)


def test_a_manual_owner_change_moves_the_owner_and_their_team_share() -> None:
    changed = OpportunityOwnerChanged("o1", "alice", "bob", "alice leaves", None, T1)
    assert state(OpportunityTeamSet("o1", TEAM, T0), changed) == replace(
        FRESH,
        owner_id="bob",
        team=(TeamShare("bob", D(60)), TeamShare("carol", D(40))),
        transfers=frozenset(),
    )


def test_an_owner_change_to_a_team_member_merges_the_credit_so_each_member_is_named_once() -> None:
    team = (TeamShare("alice", D(50)), TeamShare("carol", D(30)), TeamShare("bob", D(20)))
    changed = OpportunityOwnerChanged("o1", "alice", "bob", "alice leaves", None, T1)
    assert state(OpportunityTeamSet("o1", team, T0), changed).team == (
        TeamShare("bob", D(70)),
        TeamShare("carol", D(30)),
    )


def test_an_owner_change_by_a_transfer_remembers_the_transfer() -> None:
    changed = OpportunityOwnerChanged("o1", "alice", "bob", "left", "t1", T1)
    assert state(changed) == replace(FRESH, owner_id="bob", transfers=frozenset({"t1"}))
    again = OpportunityOwnerChanged("o1", "bob", "dan", "left", "t2", T2)
    assert state(changed, again).transfers == frozenset({"t1", "t2"})


# --- competitors --------------------------------------------------------------------------------
ACME = OpportunityCompetitorTracked("o1", "Acme", D("90000"), "undercuts on price", T1)
BETA = OpportunityCompetitorTracked("o1", "Beta", None, "old relationship", T1)


def test_tracked_competitors_are_kept_with_quote_and_strategy() -> None:
    assert state(ACME, BETA) == replace(
        FRESH,
        competitors=(
            Competitor("Acme", D("90000"), "undercuts on price"),
            Competitor("Beta", None, "old relationship"),
        ),
    )


def test_tracking_a_competitor_again_replaces_what_was_known() -> None:
    newer = OpportunityCompetitorTracked("o1", "Acme", D("85000"), "free installation", T2)
    assert state(ACME, BETA, newer).competitors == (
        Competitor("Beta", None, "old relationship"),
        Competitor("Acme", D("85000"), "free installation"),
    )


def test_a_removed_competitor_is_no_longer_tracked_and_the_others_stay() -> None:
    removed = OpportunityCompetitorRemoved("o1", "Beta", T2)
    assert state(ACME, BETA, removed) == replace(
        FRESH, competitors=(Competitor("Acme", D("90000"), "undercuts on price"),)
    )


# --- quotes -------------------------------------------------------------------------------------
def test_a_quote_within_the_threshold_is_a_draft_with_its_version_total_and_discount() -> None:
    folded = state(added("q1", 1))
    assert folded == replace(FRESH, quotes=(quote("q1", 1, "draft"),))
    assert folded.current_quote == quote("q1", 1, "draft")


def test_a_quote_above_the_threshold_waits_for_approval() -> None:
    assert state(added("q1", 1, needs_approval=True)).quotes == (
        quote("q1", 1, "pending_approval"),
    )


@pytest.mark.parametrize(
    ("decision", "status"),
    [
        (OpportunityQuoteApproved("o1", "q1", "mgr", T2), "approved"),
        (OpportunityQuoteRejected("o1", "q1", "mgr", "too cheap", T2), "rejected"),
        (OpportunityQuoteSent("o1", "q1", T2), "sent"),
    ],
)
def test_a_decision_or_sending_sets_that_quote_s_status(decision: object, status: str) -> None:
    assert state(added("q1", 1, needs_approval=True), decision).quotes == (quote("q1", 1, status),)


def test_a_new_version_supersedes_the_older_ones_but_a_rejected_one_stays_rejected() -> None:
    rejected = OpportunityQuoteRejected("o1", "q1", "mgr", "too cheap", T1)
    folded = state(
        added("q1", 1, needs_approval=True),
        rejected,
        added("q2", 2),
        OpportunityQuoteSent("o1", "q2", T2),
        added("q3", 3, needs_approval=True),
    )
    assert folded.quotes == (
        quote("q1", 1, "rejected"),
        quote("q2", 2, "superseded"),
        quote("q3", 3, "pending_approval"),
    )
    assert folded.current_quote == quote("q3", 3, "pending_approval")


def test_a_decision_touches_only_the_quote_it_names() -> None:
    folded = state(
        added("q1", 1, needs_approval=True),
        OpportunityQuoteRejected("o1", "q1", "mgr", "too cheap", T1),
        added("q2", 2, needs_approval=True),
        OpportunityQuoteApproved("o1", "q2", "mgr", T2),
    )
    assert folded.quotes == (quote("q1", 1, "rejected"), quote("q2", 2, "approved"))


# --- suspend, close, archive --------------------------------------------------------------------
SUSPENDED = OpportunitySuspended("o1", "budget freeze", T1)


def test_a_suspension_pauses_the_opportunity_and_remembers_since_when() -> None:
    assert state(SUSPENDED) == become(Suspended, FRESH, suspended_at=T1)


def test_a_reactivation_opens_it_again_and_forgets_the_suspension() -> None:
    assert state(SUSPENDED, OpportunityReactivated("o1", 7, None, T2)) == FRESH


WON_LINE = OpportunityLine("PX-200 pump", "pumps", D(2), D("47500.00"))
WON = won(T2, D("95000.00"), (WON_LINE,))


def test_winning_takes_the_amount_and_lines_that_were_won() -> None:
    assert state(WON) == become(Won, FRESH, amount=D("95000.00"), lines=(WON_LINE,))


def test_losing_closes_it_and_keeps_the_rest() -> None:
    lost = OpportunityLost(
        "o1", "SH01", "alice", D("100000.00"), "prospecting", "price", None, None, "camp-1", T2
    )
    assert state(lost) == become(Lost, FRESH)


def test_the_close_summary_is_kept_and_archiving_marks_it_archived() -> None:
    summary = OpportunityCloseSummaryRecorded("o1", "won", "relationship", None, None, "demo", T2)
    assert state(WON, summary).summary == summary
    assert state(WON, summary, OpportunityArchived("o1", T2)) == become(
        Won,
        FRESH,
        amount=D("95000.00"),
        lines=(WON_LINE,),
        summary=summary,
        archived=True,
    )


# --- programming errors -------------------------------------------------------------------------
@dataclass(frozen=True)
class Stray:
    """Neither a command nor an event of the opportunity."""


def test_only_an_opening_starts_an_opportunity() -> None:
    with pytest.raises(AssertionError, match="OpportunityStageChanged needs an opened"):
        opportunity.evolve(Nothing(), OpportunityStageChanged("o1", "a", "b", T1))


def test_an_unknown_event_or_command_is_a_programming_error_that_names_itself() -> None:
    with pytest.raises(AssertionError, match="Stray"):
        opportunity.evolve(FRESH, Stray())  # type: ignore[arg-type]
    with pytest.raises(AssertionError, match="Stray"):
        opportunity.decide(Stray(), FRESH)  # type: ignore[arg-type]
