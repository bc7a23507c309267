"""Round robin among a branch's reps, duplicate-key claims and owner transfers."""

from datetime import UTC, datetime

import pytest
from crm_events.leads import (
    BranchPlaced,
    ContactKeyClaimed,
    LeadRosterSet,
    LeadRoutedRoundRobin,
    OwnerTransferred,
)
from crm_leads.domain.routing import (
    ClaimKey,
    PlaceBranch,
    RouteLead,
    SetRoster,
    TransferOwner,
    contact_key,
    organisation,
    roster,
    transfer,
)
from crm_platform.domain import DomainError
from crm_platform.testing import Spec

T = datetime(2026, 11, 2, 9, tzinfo=UTC)
ROSTER = LeadRosterSet("SH01", ("alice", "bob"), 24, "mgr", T)


def test_leads_go_round_the_roster_and_a_repeat_gets_the_same_rep() -> None:
    history: list[object] = [ROSTER]
    reps = []
    for lead in ("l1", "l2", "l3"):
        (routed,) = Spec(roster).given(*history).when(RouteLead("SH01", lead, T))
        assert isinstance(routed, LeadRoutedRoundRobin)
        reps.append(routed.rep)
        history.append(routed)
    assert reps == ["alice", "bob", "alice"]
    assert Spec(roster).given(*history).when(RouteLead("SH01", "l2", T)) == []


def test_routing_needs_a_roster_and_the_roster_is_checked() -> None:
    with pytest.raises(DomainError, match="no reps"):
        Spec(roster).when(RouteLead("SH01", "l1", T))
    with pytest.raises(DomainError) as caught:
        Spec(roster).when(SetRoster("SH01", ("alice", "alice"), 24, "mgr", T))
    assert caught.value.field == "reps"


def test_a_key_is_claimed_once_per_record() -> None:
    claim = ClaimKey("email:a@b.cn", "lead-l1", "SH01", T)
    claimed = ContactKeyClaimed("email:a@b.cn", "lead-l1", "SH01", T)
    Spec(contact_key).then(claim, [claimed])
    assert Spec(contact_key).given(claimed).when(claim) == []
    assert contact_key.fold(
        [claimed, ContactKeyClaimed("email:a@b.cn", "account-a1", "SH01", T)]
    ) == (
        "lead-l1",
        "account-a1",
    )


def test_a_transfer_is_recorded_once_with_a_reason() -> None:
    command = TransferOwner("t1", "SH01", "alice", "bob", "alice left", T)
    done = OwnerTransferred("t1", "SH01", "alice", "bob", "alice left", T)
    Spec(transfer).then(command, [done])
    assert Spec(transfer).given(done).when(command) == []
    with pytest.raises(DomainError):
        Spec(transfer).when(TransferOwner("t1", "SH01", "alice", "alice", "x", T))


def test_a_branch_is_placed_then_moved_and_placing_it_again_records_nothing() -> None:
    placed = BranchPlaced("SH01", "east", None, "admin", T)
    Spec(organisation).then(PlaceBranch("SH01", "east", "admin", T), [placed])
    moved = BranchPlaced("SH01", "north", "east", "admin", T)
    Spec(organisation).given(placed).then(PlaceBranch("SH01", "north", "admin", T), [moved])
    Spec(organisation).given(placed, moved).then(PlaceBranch("SH01", "north", "admin", T), [])
    with pytest.raises(DomainError) as caught:
        Spec(organisation).when(PlaceBranch("HQ", "east", "admin", T))
    assert caught.value.field == "branch"
