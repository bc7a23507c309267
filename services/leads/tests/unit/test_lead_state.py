"""Given/when/then for every lead rule, and the state each event leaves behind (what a read of the
lead answers and what the next decision rests on), checked field by field."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from crm_events.leads import (
    LeadAbsorbed,
    LeadAssigned,
    LeadCaptured,
    LeadConverted,
    LeadDisqualified,
    LeadFollowUpLogged,
    LeadFollowUpOverdue,
    LeadMerged,
    LeadNurtured,
    LeadOwnerChanged,
)
from crm_leads.domain.lead import (
    Assign,
    Assigned,
    Capture,
    CheckFollowUp,
    Convert,
    LogFollowUp,
    New,
    Nurture,
    Qualify,
    Reassign,
    lead,
)
from crm_platform.testing import Spec

from . import lead_history
from .lead_history import ASSIGNED, CONTACTED, LEAD, QUALIFIED, T, captured

CAPTURED = captured("lead-l0")

H = timedelta(hours=1)
NURTURED = LeadNurtured("l1", "budget next year", "mia", T + 6 * H)
CAPTURED_LEAD = New(*LEAD, ("lead-l0",))
spec = Spec(lead)


def capture(email: str | None, phone: str | None, source: str = "referral") -> Capture:
    return Capture("l2", "BJ01", source, None, "Beifang Pumps", "Li Na", email, phone, "tom", (), T)


# --- capture --------------------------------------------------------------------------------------
def test_capture_records_the_contact_its_keys_and_the_records_it_may_duplicate() -> None:
    spec.then(lead_history.capture("lead-l0"), [CAPTURED])
    assert spec.given(CAPTURED).state() == CAPTURED_LEAD


def test_an_email_or_a_phone_alone_is_enough_to_capture() -> None:
    def captured(email: str | None, phone: str | None, key: str) -> LeadCaptured:
        """Li Na of Beifang Pumps, keyed by the one contact given and the company."""
        beifang = ("l2", "BJ01", "referral", None, "Beifang Pumps", "Li Na")
        keys = (key, "company:beifangpumps")
        return LeadCaptured(*beifang, email, phone, keys, (), "tom", T)

    spec.then(
        capture("li@beifang.cn", None), [captured("li@beifang.cn", None, "email:li@beifang.cn")]
    )
    spec.then(
        capture(None, "010-6123 4567"), [captured(None, "010-6123 4567", "phone:01061234567")]
    )


def test_capture_refusals_name_the_field_and_list_the_sources() -> None:
    spec.refuses(capture("a@b.cn", None, "fax"), field="source", match="cold_call, media, other")
    spec.refuses(capture(None, None), field="email")
    spec.refuses(capture("", ""), field="email")
    spec.given(CAPTURED).refuses(capture("a@b.cn", None), match="already captured")


# --- assignment and follow-up --------------------------------------------------------------------
def test_assignment_sets_the_assignee_and_the_time_the_follow_up_clock_starts() -> None:
    assert spec.given(CAPTURED, ASSIGNED).state() == Assigned(
        *(CAPTURED_LEAD.lead_id, "SH01", "campaign", "c1", "Huadong Steel Co., Ltd."),
        *("Wang Li", "wang@huadong.cn", "+86 138 0013 8000", ("lead-l0",)),
        assignee="alice",
        assigned_at=T,
    )


def test_a_reassignment_names_the_previous_rep_and_clears_the_overdue_flag() -> None:
    overdue = LeadFollowUpOverdue("l1", "SH01", "alice", T, 48, T + 49 * H)
    assert spec.given(CAPTURED, ASSIGNED, overdue).state().overdue is True
    reassigned = LeadAssigned("l1", "SH01", "alice", "bob", "mgr", True, T + 50 * H)
    spec.given(CAPTURED, ASSIGNED, overdue).then(
        Assign("bob", "mgr", T + 50 * H, automatic=True), [reassigned]
    )
    state = spec.given(CAPTURED, ASSIGNED, overdue, reassigned).state()
    assert (state.status, state.assignee, state.assigned_at) == ("assigned", "bob", T + 50 * H)
    assert state.overdue is False


def test_a_contacted_lead_is_not_reassigned_but_its_owner_transferred() -> None:
    spec.given(CAPTURED, ASSIGNED, CONTACTED).refuses(
        Assign("bob", "mgr", T), match="^Only a new or assigned lead is .*transfer its owner"
    )


def test_follow_ups_are_counted_and_only_the_first_is_marked_first() -> None:
    contacted = spec.given(CAPTURED, ASSIGNED, CONTACTED)
    assert (contacted.state().status, contacted.state().follow_ups) == ("contacted", 1)
    second = LeadFollowUpLogged("l1", "visit", "plant tour", "alice", False, T + 30 * H)
    contacted.then(LogFollowUp("visit", "plant tour", "alice", T + 30 * H), [second])
    state = spec.given(CAPTURED, ASSIGNED, CONTACTED, second).state()
    assert (state.status, state.follow_ups) == ("contacted", 2)
    spec.given(CAPTURED, ASSIGNED).refuses(
        LogFollowUp("fax", "", "alice", T), field="channel", match="call, email, meeting, message"
    )


def test_following_up_a_nurtured_lead_keeps_it_in_nurturing() -> None:
    touched = LeadFollowUpLogged("l1", "email", "newsletter", "mia", True, T + 7 * H)
    spec.given(CAPTURED, ASSIGNED, NURTURED).then(
        LogFollowUp("email", "newsletter", "mia", T + 7 * H), [touched]
    )
    state = spec.given(CAPTURED, ASSIGNED, NURTURED, touched).state()
    assert (state.status, state.follow_ups) == ("nurturing", 1)


def test_the_follow_up_is_overdue_only_after_the_limit_has_passed() -> None:
    assigned = spec.given(CAPTURED, ASSIGNED)
    assert assigned.when(CheckFollowUp(T + 48 * H)) == []
    assigned.then(
        CheckFollowUp(T + 48 * H + timedelta(seconds=1)),
        [LeadFollowUpOverdue("l1", "SH01", "alice", T, 48, T + 48 * H + timedelta(seconds=1))],
    )
    assigned.then(
        CheckFollowUp(T + 3 * H, limit_hours=2),
        [LeadFollowUpOverdue("l1", "SH01", "alice", T, 2, T + 3 * H)],
    )


@pytest.mark.parametrize(
    "history",
    [
        (),  # no such lead
        (CAPTURED,),  # nobody to chase yet
        (CAPTURED, ASSIGNED, NURTURED),  # marketing nurtures it
        (CAPTURED, ASSIGNED, LeadDisqualified("l1", "SH01", "no budget", "mgr", T)),
        (CAPTURED, ASSIGNED, LeadMerged("l1", "l0", "mgr", T)),
    ],
)
def test_only_an_assigned_lead_waiting_for_its_first_contact_is_flagged(
    history: tuple[object, ...],
) -> None:
    assert spec.given(*history).when(CheckFollowUp(T + 100 * H)) == []


# --- nurture, qualify, disqualify, convert --------------------------------------------------------
def test_a_lead_not_ready_to_buy_is_nurtured_and_qualified_later() -> None:
    spec.given(CAPTURED, ASSIGNED).then(Nurture("budget next year", "mia", T + 6 * H), [NURTURED])
    assert spec.given(CAPTURED, ASSIGNED, NURTURED).state().status == "nurturing"
    spec.given(CAPTURED, ASSIGNED, NURTURED).then(Qualify("alice", T + 48 * H), [QUALIFIED])
    assert spec.given(CAPTURED, ASSIGNED, NURTURED, QUALIFIED).state().status == "qualified"
    spec.given(CAPTURED, ASSIGNED).refuses(Qualify("alice", T), match="contacted")


def test_a_disqualified_lead_is_closed() -> None:
    disqualified = LeadDisqualified("l1", "SH01", "no budget", "mgr", T)
    assert spec.given(CAPTURED, disqualified).state().status == "disqualified"
    spec.given(CAPTURED, disqualified).refuses(
        Nurture("x", "mia", T), match="disqualified; it can no longer change"
    )


CONVERT = Convert(
    "acct-1", True, "o1", "Huadong line", Decimal(90000), "CNY", date(2027, 2, 1), T + 72 * H
)


def test_conversion_opens_an_opportunity_carrying_campaign_branch_and_owner() -> None:
    spec.given(CAPTURED, ASSIGNED, CONTACTED, QUALIFIED).then(
        CONVERT,
        [
            LeadConverted(
                "l1",
                "acct-1",
                True,
                "o1",
                "Huadong line",
                Decimal(90000),
                "CNY",
                date(2027, 2, 1),
                "c1",
                "SH01",
                "alice",
                T + 72 * H,
            )
        ],
    )


def test_a_converted_lead_links_to_its_account_and_opportunity() -> None:
    converted = LeadConverted(
        "l1", "acct-1", False, "o1", "x", Decimal(1), "CNY", date(2027, 2, 1), "c1", "SH01", "", T
    )
    state = spec.given(CAPTURED, ASSIGNED, CONTACTED, QUALIFIED, converted).state()
    assert (state.status, state.account_id, state.opportunity_id) == ("converted", "acct-1", "o1")


def test_a_lead_nurtured_without_an_assignee_converts_with_no_owner() -> None:
    nurtured = LeadNurtured("l1", "", "mia", T)
    (converted,) = spec.given(CAPTURED, nurtured, QUALIFIED).when(CONVERT)
    assert isinstance(converted, LeadConverted) and converted.owner_id == ""


def test_the_opportunity_amount_is_above_zero() -> None:
    qualified = spec.given(CAPTURED, ASSIGNED, CONTACTED, QUALIFIED)
    for amount in (Decimal(0), Decimal(-5)):
        cmd = Convert("a", False, "o1", "x", amount, "CNY", date(2027, 2, 1), T)
        qualified.refuses(cmd, field="amount")
    (one,) = qualified.when(Convert("a", False, "o1", "x", Decimal(1), "CNY", date(2027, 2, 1), T))
    assert isinstance(one, LeadConverted) and one.amount == Decimal(1)


# --- merge and transfer ---------------------------------------------------------------------------
def test_a_merged_lead_is_closed_and_the_survivor_lists_what_it_absorbed() -> None:
    merged = LeadMerged("l1", "l0", "mgr", T)
    assert spec.given(CAPTURED, merged).state().status == "merged"
    spec.given(CAPTURED, merged).refuses(Qualify("alice", T), match="merged")
    absorbed = (LeadAbsorbed("l1", "l9", "mgr", T), LeadAbsorbed("l1", "l8", "mgr", T))
    assert spec.given(CAPTURED, *absorbed).state().merged == ("l9", "l8")


def test_a_transfer_moves_the_lead_and_is_remembered() -> None:
    moved = LeadOwnerChanged("l1", "alice", "bob", "t1", T)
    state = spec.given(CAPTURED, ASSIGNED, moved).state()
    assert (state.assignee, state.transfers, state.status) == ("bob", frozenset({"t1"}), "assigned")
    again = LeadOwnerChanged("l1", "bob", "carol", "t2", T)
    assert spec.given(CAPTURED, ASSIGNED, moved, again).state().transfers == {"t1", "t2"}
    # alice comes back; replaying the first transfer moves nothing
    back = LeadOwnerChanged("l1", "carol", "alice", "t3", T)
    assert (
        spec.given(CAPTURED, ASSIGNED, moved, again, back).when(Reassign("t1", "alice", "bob", T))
        == []
    )


@pytest.mark.parametrize(
    "history",
    [
        (),
        (CAPTURED, ASSIGNED, LeadDisqualified("l1", "SH01", "no budget", "mgr", T)),
        (CAPTURED, ASSIGNED, LeadMerged("l1", "l0", "mgr", T)),
    ],
)
def test_a_transfer_leaves_missing_and_closed_leads_alone(history: tuple[object, ...]) -> None:
    assert spec.given(*history).when(Reassign("t1", "alice", "bob", T)) == []
