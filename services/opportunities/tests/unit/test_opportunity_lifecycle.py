"""Given/when/then for the opportunity's lifecycle beyond stages: team, quotes, suspend, close."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from crm_events.leads import LeadConverted, OwnerTransferred
from crm_events.opportunities import (
    OpportunityActivityLogged,
    OpportunityArchived,
    OpportunityCloseSummaryRecorded,
    OpportunityLost,
    OpportunityOpened,
    OpportunityOwnerChanged,
    OpportunityQuoteAdded,
    OpportunityQuoteApproved,
    OpportunityQuoteSent,
    OpportunityReactivated,
    OpportunityStageChanged,
    OpportunitySuspended,
    OpportunityTeamSet,
    OpportunityWon,
    QuoteLine,
    TeamShare,
)
from crm_opportunities.domain.opportunity import (
    AddQuote,
    Archive,
    ChangeStage,
    DecideQuote,
    LogActivity,
    Lose,
    Reactivate,
    RecordCloseSummary,
    SendQuote,
    SetTeam,
    Suspend,
    TransferOwnership,
    Win,
    on_lead_converted,
    on_owner_transferred,
    opportunity,
)
from crm_platform.domain import DomainError
from crm_platform.testing import Spec

from .opportunity_history import LINE, OPENED, T0, T1

spec = Spec(opportunity).given(OPENED)


def refused(
    command: object, *history: object, match: str | None = None, field: str | None = None
) -> None:
    with pytest.raises(DomainError, match=match) as caught:
        Spec(opportunity).given(OPENED, *history).when(command)
    assert caught.value.field == field


# --- team and owners ----------------------------------------------------------------------------
def test_a_team_whose_shares_add_up_to_100_is_set() -> None:
    team = (TeamShare("alice", Decimal(60)), TeamShare("bob", Decimal(40)))
    spec.then(SetTeam(team, T1), [OpportunityTeamSet("o1", team, T1)])


@pytest.mark.parametrize(
    "team",
    [
        (TeamShare("alice", Decimal(60)), TeamShare("bob", Decimal(30))),
        (TeamShare("alice", Decimal(100)), TeamShare("alice", Decimal(0))),
        (TeamShare("alice", Decimal(110)), TeamShare("bob", Decimal(-10))),
        (),
    ],
)
def test_a_team_must_add_up_to_100_with_each_member_once(team: tuple[TeamShare, ...]) -> None:
    refused(SetTeam(team, T1), field="team")


def test_ownership_moves_and_keeps_history() -> None:
    spec.then(
        TransferOwnership("bob", "alice leaves", T1),
        [OpportunityOwnerChanged("o1", "alice", "bob", "alice leaves", None, T1)],
    )
    refused(TransferOwnership("alice", "no-op", T1), field="to_owner")


def test_a_transfer_of_the_owner_reassigns_once() -> None:
    moved = on_owner_transferred(OwnerTransferred("t1", "SH01", "alice", "bob", "left", T1))
    spec.then(moved, [OpportunityOwnerChanged("o1", "alice", "bob", "left", "t1", T1)])
    again = Spec(opportunity).given(
        OPENED, OpportunityOwnerChanged("o1", "alice", "bob", "left", "t1", T1)
    )
    assert again.when(moved) == []


def test_a_transfer_skips_other_owners_and_closed_deals() -> None:
    moved = on_owner_transferred(OwnerTransferred("t1", "SH01", "carol", "bob", "left", T1))
    assert spec.when(moved) == []
    lost = OpportunityLost(
        "o1", "SH01", "alice", Decimal(1), "prospecting", "price", None, None, None, T1
    )
    alice = on_owner_transferred(OwnerTransferred("t2", "SH01", "alice", "bob", "left", T1))
    assert Spec(opportunity).given(OPENED, lost).when(alice) == []


# --- activities ---------------------------------------------------------------------------------
def test_activities_are_logged_with_their_cost() -> None:
    spec.then(
        LogActivity("a1", "visit", "alice", Decimal("320.50"), "site visit", T1),
        [
            OpportunityActivityLogged(
                "o1", "a1", "visit", "alice", Decimal("320.50"), "site visit", T1
            )
        ],
    )
    refused(LogActivity("a2", "party", "alice", Decimal(0), "", T1), field="kind")
    refused(LogActivity("a3", "call", "alice", Decimal(-1), "", T1), field="cost")


# --- quotes -------------------------------------------------------------------------------------
def quote(discount: str) -> AddQuote:
    return AddQuote(
        "q1",
        (QuoteLine("PX-200 pump", "pumps", Decimal(2), Decimal("50000.00"), Decimal(discount)),),
        T1,
        threshold_percent=Decimal(10),
    )


def test_a_quote_within_the_threshold_can_be_sent_at_once() -> None:
    (added,) = spec.when(quote("5"))
    assert isinstance(added, OpportunityQuoteAdded)
    assert (added.version, added.list_total, added.total, added.needs_approval) == (
        1,
        Decimal("100000.00"),
        Decimal("95000.00"),
        False,
    )
    Spec(opportunity).given(OPENED, added).then(
        SendQuote("q1", T1), [OpportunityQuoteSent("o1", "q1", T1)]
    )


def test_a_quote_above_the_threshold_waits_for_the_branch_manager() -> None:
    (added,) = spec.when(quote("15"))
    assert added.needs_approval
    refused(SendQuote("q1", T1), added, match="approval before it can be sent")
    approved = OpportunityQuoteApproved("o1", "q1", "mgr", T1)
    Spec(opportunity).given(OPENED, added).then(DecideQuote("q1", True, "mgr", "", T1), [approved])
    Spec(opportunity).given(OPENED, added, approved).then(
        SendQuote("q1", T1), [OpportunityQuoteSent("o1", "q1", T1)]
    )


def test_a_rejection_needs_a_reason_and_a_new_version_supersedes() -> None:
    (added,) = spec.when(quote("15"))
    refused(DecideQuote("q1", False, "mgr", " ", T1), added, field="reason")
    second = AddQuote("q2", quote("8").lines, T1, Decimal(10))
    (v2,) = Spec(opportunity).given(OPENED, added).when(second)
    assert isinstance(v2, OpportunityQuoteAdded) and v2.version == 2
    refused(SendQuote("q1", T1), added, v2, match="superseded")


def test_quote_lines_are_checked() -> None:
    refused(AddQuote("q", (), T1), field="lines")
    bad = QuoteLine("x", "y", Decimal(0), Decimal(1), Decimal(0))
    refused(AddQuote("q", (bad,), T1), field="lines")


# --- suspend and reactivate ---------------------------------------------------------------------
def test_suspended_opportunities_pause_and_come_back() -> None:
    suspended = OpportunitySuspended("o1", "budget freeze", T1)
    spec.then(Suspend("budget freeze", T1), [suspended])
    refused(ChangeStage("bidding", T1), suspended, match="suspended")
    back = T1 + timedelta(days=30)
    Spec(opportunity).given(OPENED, suspended).then(
        Reactivate(back, "alice", "sales_rep"), [OpportunityReactivated("o1", 30, None, back)]
    )


def test_after_90_days_only_the_branch_manager_reactivates() -> None:
    suspended = OpportunitySuspended("o1", "budget freeze", T1)
    late = T1 + timedelta(days=91)
    refused(Reactivate(late, "alice", "sales_rep"), suspended, match="91 days")
    Spec(opportunity).given(OPENED, suspended).then(
        Reactivate(late, "mgr", "branch_manager"), [OpportunityReactivated("o1", 91, "mgr", late)]
    )


# --- win, lose, close ---------------------------------------------------------------------------
def test_winning_carries_what_a_contract_needs() -> None:
    team = (TeamShare("alice", Decimal(70)), TeamShare("bob", Decimal(30)))
    events = Spec(opportunity).given(OPENED, OpportunityTeamSet("o1", team, T0)).when(Win(T1))
    assert events[0] == OpportunityStageChanged("o1", "prospecting", "won", T1)
    won = events[1]
    assert isinstance(won, OpportunityWon)
    assert (won.amount, won.lines, won.team, won.lead_id, won.campaign_id) == (
        Decimal("100000.00"),
        (LINE,),
        team,
        "lead-1",
        "camp-1",
    )


def test_winning_takes_the_current_quote() -> None:
    (added,) = spec.when(quote("5"))
    won = Spec(opportunity).given(OPENED, added).when(Win(T1))[1]
    assert isinstance(won, OpportunityWon)
    assert won.amount == Decimal("95000.00") and won.lines[0].unit_price == Decimal("47500.00")
    assert won.team == (TeamShare("alice", Decimal(100)),)


def test_moving_to_the_last_stage_is_winning() -> None:
    events = spec.when(ChangeStage("won", T1))
    assert [type(e) for e in events] == [OpportunityStageChanged, OpportunityWon]


def test_losing_records_reason_stage_and_competitor() -> None:
    spec.then(
        Lose("competitor", "Acme", Decimal("88000"), T1),
        [
            OpportunityLost(
                "o1",
                "SH01",
                "alice",
                Decimal("100000.00"),
                "prospecting",
                "competitor",
                "Acme",
                Decimal("88000"),
                "camp-1",
                T1,
            )
        ],
    )
    refused(Lose("competitor", None, None, T1), field="competitor")
    refused(Lose("bad luck", None, None, T1), field="reason")


def test_a_lost_opportunity_is_final() -> None:
    lost = OpportunityLost(
        "o1", "SH01", "alice", Decimal(1), "prospecting", "price", None, None, None, T1
    )
    for command in (ChangeStage("bidding", T1), Win(T1), Suspend("x", T1), SetTeam((), T1)):
        with pytest.raises(DomainError, match="lost"):
            Spec(opportunity).given(OPENED, lost).when(command)


def test_archiving_needs_the_close_summary_first() -> None:
    lost = OpportunityLost(
        "o1", "SH01", "alice", Decimal(1), "prospecting", "price", None, None, None, T1
    )
    refused(Archive(T1), lost, match="close summary")
    refused(Archive(T1), match="won or lost")
    summary = RecordCloseSummary("price", "Acme", Decimal(90), "quote earlier", T1)
    recorded = OpportunityCloseSummaryRecorded(
        "o1", "lost", "price", "Acme", Decimal(90), "quote earlier", T1
    )
    Spec(opportunity).given(OPENED, lost).then(summary, [recorded])
    refused(RecordCloseSummary("price", None, None, " ", T1), lost, field="lessons")
    refused(summary, match="won or lost")
    Spec(opportunity).given(OPENED, lost, recorded).then(
        Archive(T1), [OpportunityArchived("o1", T1)]
    )


# --- from a lead's conversion -------------------------------------------------------------------
def test_a_converted_lead_opens_the_opportunity_once() -> None:
    converted = LeadConverted(
        "lead-9",
        "acct-9",
        True,
        "o9",
        "New line",
        Decimal("5000"),
        "CNY",
        date(2027, 1, 1),
        "camp-2",
        "SH01",
        "alice",
        T0,
    )
    command = on_lead_converted(converted)
    (opened,) = Spec(opportunity).when(command)
    assert isinstance(opened, OpportunityOpened)
    assert (opened.opportunity_id, opened.lead_id, opened.campaign_id) == ("o9", "lead-9", "camp-2")
    assert Spec(opportunity).given(opened).when(command) == []
