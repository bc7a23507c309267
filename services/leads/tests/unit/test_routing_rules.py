"""The branch roster (round robin and the follow-up limit), contact-key streams and owner transfers:
the events, the refusals by field, and the roster state routing rests on."""

from datetime import UTC, datetime

import pytest
from crm_events.leads import LeadRosterSet, LeadRoutedRoundRobin, OwnerTransferred
from crm_leads.domain.lead import DEFAULT_FOLLOW_UP_HOURS
from crm_leads.domain.routing import (
    Roster,
    RouteLead,
    SetRoster,
    TransferOwner,
    key_stream,
    roster,
    roster_stream,
    transfer,
)
from crm_platform.testing import Spec
from hypothesis import given, settings
from hypothesis import strategies as st

T = datetime(2026, 11, 2, 9, tzinfo=UTC)
T2 = datetime(2026, 11, 3, 10, tzinfo=UTC)
ROSTER = LeadRosterSet("SH01", ("alice", "bob"), 24, "mgr", T)
spec = Spec(roster)


@pytest.mark.parametrize("hours", [1, 48, 720])
def test_a_roster_names_its_reps_and_a_follow_up_limit_of_1_to_720_hours(hours: int) -> None:
    spec.then(
        SetRoster("SH01", ("alice", "bob"), hours, "mgr", T2),
        [LeadRosterSet("SH01", ("alice", "bob"), hours, "mgr", T2)],
    )


@pytest.mark.parametrize("hours", [-1, 0, 721, 744])
def test_a_follow_up_limit_outside_1_to_720_hours_is_refused(hours: int) -> None:
    spec.refuses(SetRoster("SH01", ("alice",), hours, "mgr", T), field="follow_up_hours")


def test_before_any_roster_the_default_limit_applies_and_nobody_is_routed() -> None:
    assert spec.state() == Roster((), DEFAULT_FOLLOW_UP_HOURS, 0, {})
    assert DEFAULT_FOLLOW_UP_HOURS == 48


def test_routing_names_the_branch_the_lead_the_rep_and_the_time() -> None:
    spec.given(ROSTER).then(
        RouteLead("SH01", "l1", T2), [LeadRoutedRoundRobin("SH01", "l1", "alice", T2)]
    )


def test_the_roster_remembers_its_limit_its_turn_and_every_routed_lead() -> None:
    routed = (
        LeadRoutedRoundRobin("SH01", "l1", "alice", T),
        LeadRoutedRoundRobin("SH01", "l2", "bob", T),
    )
    assert spec.given(ROSTER, *routed).state() == Roster(
        ("alice", "bob"), 24, 2, {"l1": "alice", "l2": "bob"}
    )


def test_a_new_roster_starts_the_turn_again_and_keeps_what_was_routed() -> None:
    routed = LeadRoutedRoundRobin("SH01", "l1", "alice", T)
    new = LeadRosterSet("SH01", ("carol", "dave"), 8, "mgr", T2)
    assert spec.given(ROSTER, routed, new).state() == Roster(
        ("carol", "dave"), 8, 0, {"l1": "alice"}
    )
    assert spec.given(ROSTER, routed, new).when(RouteLead("SH01", "l1", T2)) == []
    spec.given(ROSTER, routed, new).then(
        RouteLead("SH01", "l2", T2), [LeadRoutedRoundRobin("SH01", "l2", "carol", T2)]
    )


@settings(max_examples=100)
@given(
    reps=st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=5, unique=True),
    leads=st.integers(min_value=1, max_value=12),
)
def test_leads_go_to_the_reps_in_turn_and_a_repeat_is_routed_once(
    reps: list[str], leads: int
) -> None:
    history: list[object] = [LeadRosterSet("SH01", tuple(reps), 24, "mgr", T)]
    for i in range(leads):
        routed = LeadRoutedRoundRobin("SH01", f"l{i}", reps[i % len(reps)], T)
        spec.given(*history).then(RouteLead("SH01", f"l{i}", T), [routed])
        history.append(routed)
        assert spec.given(*history).when(RouteLead("SH01", "l0", T2)) == []
    counts = [sum(1 for e in history[1:] if getattr(e, "rep", None) == r) for r in reps]
    assert max(counts) - min(counts) <= 1


def test_streams_are_named_by_branch_and_by_a_digest_of_the_key() -> None:
    assert roster_stream("SH01") == "lead-roster-SH01"
    assert key_stream("email:a@b.cn") == "contact-key-5d63e9c0a408e63a9844498eb512607fe581acdf"


def test_a_transfer_names_someone_else_and_says_why() -> None:
    Spec(transfer).refuses(TransferOwner("t1", "SH01", "alice", "alice", "x", T), field="to_user")
    Spec(transfer).refuses(TransferOwner("t1", "SH01", "alice", "bob", "  ", T), field="reason")
    done = OwnerTransferred("t1", "SH01", "alice", "bob", "left", T)
    assert Spec(transfer).given(done).state() == done
