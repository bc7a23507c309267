"""Given/when/then for the opportunity's rules beyond quotes: opening, stages, details, activities,
the team's credit shares, owners, competitors, suspension and closing, each with the field a
refusal names (problem+json shows it to the user)."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
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
    OpportunityReactivated,
    OpportunityStageChanged,
    OpportunitySuspended,
    OpportunityTeamSet,
    PipelineStage,
    QuoteLine,
    TeamShare,
)
from crm_opportunities.domain.opportunity import (
    AddQuote,
    Archive,
    ChangeStage,
    LogActivity,
    Lose,
    OpenOpportunity,
    Reactivate,
    RecordCloseSummary,
    RemoveCompetitor,
    SetTeam,
    Suspend,
    TrackCompetitor,
    TransferOwnership,
    UpdateDetails,
    Win,
    on_lead_converted,
    on_owner_transferred,
    opportunity,
)
from crm_platform.testing import Spec
from hypothesis import given, settings
from hypothesis import strategies as st

from .opportunity_history import LINE, OPENED, T0, T1, T2, D, won

SHORT = (
    PipelineStage("qualify", D(20)),
    PipelineStage("proposal", D(60)),
    PipelineStage("won", D(100)),
)

WON = won(T1)
LOST = OpportunityLost(
    "o1", "SH01", "alice", D("100000.00"), "prospecting", "price", None, None, "camp-1", T1
)
SUSPENDED = OpportunitySuspended("o1", "budget freeze", T1)
spec = Spec(opportunity)


def after(*events: object) -> Spec:
    return spec.given(OPENED, *events)


def open_command(amount: str = "100000.00", **extra: object) -> OpenOpportunity:
    return OpenOpportunity(
        "o1",
        "a1",
        "Line 3 retrofit",
        D(amount),
        "CNY",
        date(2027, 3, 31),
        "SH01",
        "alice",
        T0,
        **extra,  # type: ignore[arg-type]
    )


# --- opening ------------------------------------------------------------------------------------
def test_opening_carries_lines_lead_and_campaign_into_the_first_stage_of_the_branch_pipeline() -> (
    None
):
    spec.then(
        open_command(lead_id="lead-1", campaign_id="camp-1", lines=(LINE,), pipeline=SHORT),
        [replace(OPENED, stage="qualify")],  # the first stage of SHORT
    )


@pytest.mark.parametrize("amount", ["0", "-1", "-0.01"])
def test_an_opportunity_is_worth_something(amount: str) -> None:
    spec.refuses(open_command(amount), field="amount")


@pytest.mark.parametrize("amount", ["0.01", "1"])
def test_even_a_small_opportunity_opens(amount: str) -> None:
    (opened,) = spec.when(open_command(amount))
    assert isinstance(opened, OpportunityOpened) and opened.amount == D(amount)


def test_a_converted_lead_opens_in_the_branch_pipeline_with_every_detail() -> None:
    converted = LeadConverted(
        "lead-9",
        "acct-9",
        True,
        "o9",
        "New line",
        D("5000"),
        "CNY",
        date(2027, 1, 1),
        "camp-2",
        "BJ02",
        "bob",
        T1,
    )
    assert on_lead_converted(converted, SHORT) == OpenOpportunity(
        opportunity_id="o9",
        account_id="acct-9",
        name="New line",
        amount=D("5000"),
        currency="CNY",
        expected_close=date(2027, 1, 1),
        branch="BJ02",
        owner_id="bob",
        at=T1,
        lead_id="lead-9",
        campaign_id="camp-2",
        pipeline=SHORT,
        from_conversion=True,
    )


# --- stages -------------------------------------------------------------------------------------
def test_the_current_stage_again_is_refused_naming_the_stage() -> None:
    after().refuses(ChangeStage("prospecting", T1), field="stage")


def test_a_stage_of_the_branch_pipeline_is_accepted() -> None:
    after().then(
        ChangeStage("proposal", T1, SHORT),
        [OpportunityStageChanged("o1", "prospecting", "proposal", T1)],
    )


def test_moving_to_won_wins_at_that_moment() -> None:
    after(OpportunityStageChanged("o1", "prospecting", "negotiation", T0)).then(
        ChangeStage("won", T2),
        [
            OpportunityStageChanged("o1", "negotiation", "won", T2),
            won(T2),
        ],
    )


def test_a_pipeline_without_won_cannot_win() -> None:
    after().refuses(Win(T1, SHORT[:2]))


# --- details ------------------------------------------------------------------------------------
VALVE = OpportunityLine("V-9 valve", "valves", D(10), D("800.00"))


def details(amount: str) -> UpdateDetails:
    return UpdateDetails("Line 3 and 4", D(amount), date(2027, 6, 30), (VALVE,), T1)


def test_details_are_updated_while_open() -> None:
    after().then(
        details("8000.00"),
        [
            OpportunityDetailsUpdated(
                "o1", "Line 3 and 4", D("8000.00"), date(2027, 6, 30), (VALVE,), T1
            )
        ],
    )
    after().then(
        details("0.01"),
        [
            OpportunityDetailsUpdated(
                "o1", "Line 3 and 4", D("0.01"), date(2027, 6, 30), (VALVE,), T1
            )
        ],
    )


@pytest.mark.parametrize("amount", ["0", "-5"])
def test_updated_details_keep_an_amount_above_zero(amount: str) -> None:
    after().refuses(details(amount), field="amount")


# --- activities ---------------------------------------------------------------------------------
@pytest.mark.parametrize("cost", ["0", "0.50"])
def test_an_activity_may_cost_nothing_or_little(cost: str) -> None:
    after().then(
        LogActivity("a1", "call", "alice", D(cost), "intro", T1),
        [OpportunityActivityLogged("o1", "a1", "call", "alice", D(cost), "intro", T1)],
    )


def test_an_activity_needs_an_opportunity() -> None:
    spec.refuses(LogActivity("a1", "call", "alice", D(0), "", T1))


# --- team ---------------------------------------------------------------------------------------
def share(user: str, percent: str) -> TeamShare:
    return TeamShare(user, D(percent))


@pytest.mark.parametrize(
    "team",
    [
        (share("alice", "99"), share("bob", "1")),
        (share("alice", "99.5"), share("bob", "0.5")),
        (share("alice", "100"),),
        (share("alice", "33.34"), share("bob", "33.33"), share("carol", "33.33")),
    ],
)
def test_a_team_whose_positive_shares_add_up_to_100_is_set(team: tuple[TeamShare, ...]) -> None:
    after().then(SetTeam(team, T1), [OpportunityTeamSet("o1", team, T1)])


@pytest.mark.parametrize(
    "team",
    [
        (share("alice", "50"), share("alice", "50")),  # a member twice
        (share("alice", "100"), share("bob", "0")),  # a member without credit
        (share("alice", "100.01"), share("bob", "-0.01")),
        (share("alice", "99.99"),),
    ],
)
def test_a_team_names_each_member_once_with_a_positive_share(team: tuple[TeamShare, ...]) -> None:
    after().refuses(SetTeam(team, T1), field="team")


# cut points in hundredths of a percent split 100 % into positive shares
cuts = st.sets(st.integers(1, 9_999), max_size=5).map(lambda c: [0, *sorted(c), 10_000])


@settings(max_examples=200)
@given(cuts, st.integers(0, 5), st.integers(-50, 50).filter(bool))
def test_credit_shares_are_accepted_exactly_when_they_add_up_to_100(
    points: list[int], who: int, off: int
) -> None:
    team = tuple(TeamShare(f"rep{i}", D(b - a) / 100) for i, (a, b) in enumerate(pairwise(points)))
    after().then(SetTeam(team, T1), [OpportunityTeamSet("o1", team, T1)])
    i = who % len(team)
    wrong = (*team[:i], TeamShare(team[i].user_id, team[i].share + D(off) / 100), *team[i + 1 :])
    after().refuses(SetTeam(wrong, T1), field="team")


# --- owners -------------------------------------------------------------------------------------
def test_a_transfer_of_the_owner_leaves_a_won_deal_with_its_owner() -> None:
    moved = on_owner_transferred(OwnerTransferred("t1", "SH01", "alice", "bob", "left", T2))
    assert after(WON).when(moved) == []
    after(WON).refuses(TransferOwnership("bob", "reorganised", T2))


def test_a_transfer_of_the_owner_moves_a_suspended_deal_too() -> None:
    moved = on_owner_transferred(OwnerTransferred("t1", "SH01", "alice", "bob", "left", T2))
    after(SUSPENDED).then(moved, [OpportunityOwnerChanged("o1", "alice", "bob", "left", "t1", T2)])


# --- competitors --------------------------------------------------------------------------------
@pytest.mark.parametrize("their_quote", [D("88000"), D(0), D("0.50"), None])
def test_a_competitor_is_tracked_with_their_quote_if_known_and_strategy(
    their_quote: Decimal | None,
) -> None:
    after().then(
        TrackCompetitor("Acme", their_quote, "undercuts on price", T1),
        [OpportunityCompetitorTracked("o1", "Acme", their_quote, "undercuts on price", T1)],
    )


def test_a_competitor_s_quote_is_not_negative() -> None:
    after().refuses(TrackCompetitor("Acme", D("-0.01"), "", T1), field="their_quote")


def test_a_tracked_competitor_is_removed_and_an_unknown_one_named() -> None:
    tracked = OpportunityCompetitorTracked("o1", "Acme", None, "", T0)
    after(tracked).then(
        RemoveCompetitor("Acme", T1), [OpportunityCompetitorRemoved("o1", "Acme", T1)]
    )
    after(tracked).refuses(RemoveCompetitor("Beta", T1), field="competitor", match="Beta")
    after().refuses(RemoveCompetitor("Acme", T1), field="competitor")


# --- closed and suspended opportunities do not change -------------------------------------------
CHANGES = [
    ChangeStage("bidding", T2),
    details("5000.00"),
    SetTeam((share("alice", "100"),), T2),
    TransferOwnership("bob", "x", T2),
    TrackCompetitor("Acme", None, "", T2),
    RemoveCompetitor("Acme", T2),
    AddQuote("q1", (QuoteLine("p", "pl", D(1), D(1), D(0)),), T2),
    Suspend("again", T2),
    Win(T2),
    Lose("price", None, None, T2),
]


@pytest.mark.parametrize("command", CHANGES, ids=lambda c: type(c).__name__)
@pytest.mark.parametrize("closed", [WON, LOST, SUSPENDED], ids=["won", "lost", "suspended"])
def test_a_won_lost_or_suspended_opportunity_does_not_change(
    closed: object, command: object
) -> None:
    tracked = OpportunityCompetitorTracked("o1", "Acme", None, "", T0)
    after(tracked, closed).refuses(command)


@pytest.mark.parametrize("command", CHANGES, ids=lambda c: type(c).__name__)
def test_there_is_nothing_to_change_before_an_opening(command: object) -> None:
    spec.refuses(command)


# --- suspension ---------------------------------------------------------------------------------
def test_a_suspension_says_why() -> None:
    after().refuses(Suspend(" ", T1), field="reason")


def test_only_a_suspended_opportunity_is_reactivated() -> None:
    after().refuses(Reactivate(T2, "alice", "sales_rep"))
    spec.refuses(Reactivate(T2, "alice", "sales_rep"))


def test_after_exactly_90_days_the_rep_still_reactivates() -> None:
    back = T1 + timedelta(days=90)
    after(SUSPENDED).then(
        Reactivate(back, "alice", "sales_rep"), [OpportunityReactivated("o1", 90, None, back)]
    )


# --- close summary and archive ------------------------------------------------------------------
def test_a_won_opportunity_gets_its_close_summary_and_is_archived() -> None:
    recorded = OpportunityCloseSummaryRecorded(
        "o1", "won", "relationship", None, None, "early demo", T2
    )
    after(WON).then(RecordCloseSummary("relationship", None, None, "early demo", T2), [recorded])
    after(WON, recorded).then(Archive(T2), [OpportunityArchived("o1", T2)])
    after(WON, recorded, OpportunityArchived("o1", T2)).then(Archive(T2), [])
    after(WON, recorded, OpportunityArchived("o1", T2)).refuses(
        RecordCloseSummary("relationship", None, None, "later", T2)
    )


@pytest.mark.parametrize("reason", ["won", "price", "budget cut at the customer"])
def test_a_close_summary_takes_a_listed_or_a_free_reason(reason: str) -> None:
    after(LOST).then(
        RecordCloseSummary(reason, "Acme", D("90000"), "quote earlier", T2),
        [
            OpportunityCloseSummaryRecorded(
                "o1", "lost", reason, "Acme", D("90000"), "quote earlier", T2
            )
        ],
    )


def test_a_close_summary_needs_a_reason() -> None:
    after(LOST).refuses(RecordCloseSummary("  ", None, None, "quote earlier", T2), field="reason")


def test_only_a_won_or_lost_opportunity_is_summarised_or_archived() -> None:
    summary = RecordCloseSummary("price", None, None, "x", T2)
    for history in ([], [SUSPENDED]):
        after(*history).refuses(summary)
        after(*history).refuses(Archive(T2))
    spec.refuses(summary)
    spec.refuses(Archive(T2))
