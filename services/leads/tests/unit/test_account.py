"""Given/when/then for customer accounts: contacts, interactions, delegation, transfer, grades."""

from datetime import date
from decimal import Decimal

import pytest
from crm_events.leads import (
    AccountContact,
    AccountContactSaved,
    AccountDelegated,
    AccountGradeComputed,
    AccountGradeOverridden,
    AccountGradeOverrideCleared,
    AccountGrowthPotentialSet,
    AccountInteractionLogged,
    AccountOwnerChanged,
    CustomerGradeChanged,
    OwnerTransferred,
)
from crm_leads.domain.account import (
    Account,
    ClearOverride,
    Delegate,
    Grade,
    LogInteraction,
    Open,
    Override,
    RemoveContact,
    SaveContact,
    SetGrowthPotential,
    account,
    on_owner_transferred,
)
from crm_platform.domain import DomainError
from crm_platform.testing import Spec

from .account_history import CFO, OPENED, T

spec = Spec(account).given(OPENED)


def refused(
    command: object, *history: object, match: str | None = None, field: str | None = None
) -> None:
    with pytest.raises(DomainError, match=match) as caught:
        Spec(account).given(OPENED, *history).when(command)
    assert caught.value.field == field


def test_open_with_credit_terms() -> None:
    Spec(account).then(
        Open(
            "a1", "SH01", "Huadong Steel", "steel", "large", "alice", Decimal(500000), 60, "l1", T
        ),
        [OPENED],
    )
    with pytest.raises(DomainError) as caught:
        Spec(account).when(Open("a1", "SH01", "X", "y", "huge", "alice", Decimal(0), 30, None, T))
    assert caught.value.field == "size"


def test_contacts_carry_their_part_in_the_buying_decision() -> None:
    spec.then(SaveContact(CFO, T), [AccountContactSaved("a1", CFO, T)])
    bad = AccountContact("k2", "X", "", None, None, "cheerleader")
    refused(SaveContact(bad, T), field="buying_role")
    refused(RemoveContact("k9", T), field="contact_id")


def test_interactions_are_logged_with_cost() -> None:
    spec.then(
        LogInteraction("i1", "visit", "alice", "plant tour", Decimal(300), T),
        [
            AccountInteractionLogged(
                "a1", "SH01", "i1", "visit", "alice", "plant tour", Decimal(300), T
            )
        ],
    )
    refused(LogInteraction("i2", "party", "alice", "", Decimal(0), T), field="kind")


def test_a_delegate_acts_for_the_owner_for_a_period() -> None:
    delegated = AccountDelegated(
        "a1", "alice", "bob", date(2026, 12, 1), date(2026, 12, 20), "mgr", T
    )
    spec.then(Delegate("bob", date(2026, 12, 1), date(2026, 12, 20), "mgr", T), [delegated])
    state = account.fold([OPENED, delegated])
    assert isinstance(state, Account)
    assert state.acting_owners(date(2026, 12, 5)) == ("alice", "bob")
    assert state.acting_owners(date(2026, 12, 21)) == ("alice",)
    refused(Delegate("bob", date(2026, 12, 2), date(2026, 12, 1), "mgr", T), field="ends_on")


def test_a_transfer_moves_the_account_once() -> None:
    command = on_owner_transferred(OwnerTransferred("t1", "SH01", "alice", "bob", "left", T))
    moved = AccountOwnerChanged("a1", "alice", "bob", "t1", T)
    spec.then(command, [moved])
    assert Spec(account).given(OPENED, moved).when(command) == []


def test_grades_publish_only_changes_of_the_effective_grade() -> None:
    computed = AccountGradeComputed("a1", "B", "computed", T)
    spec.then(
        Grade("B", "computed", T),
        [computed, CustomerGradeChanged("a1", "SH01", "B", None, "computed", T)],
    )
    assert Spec(account).given(OPENED, computed).when(Grade("B", "computed", T)) == []
    overridden = AccountGradeOverridden("a1", "A", "strategic", "mgr", T)
    Spec(account).given(OPENED, computed).then(
        Override("A", "strategic", "mgr", T),
        [overridden, CustomerGradeChanged("a1", "SH01", "A", "B", "override", T)],
    )
    # while overridden, a new computed grade changes nothing a customer sees
    (only,) = Spec(account).given(OPENED, computed, overridden).when(Grade("C", "computed", T))
    assert isinstance(only, AccountGradeComputed)
    recomputed = AccountGradeComputed("a1", "C", "computed", T)
    Spec(account).given(OPENED, computed, overridden, recomputed).then(
        ClearOverride("mgr", T),
        [
            AccountGradeOverrideCleared("a1", "mgr", T),
            CustomerGradeChanged("a1", "SH01", "C", "A", "override-cleared", T),
        ],
    )
    refused(Override("A", " ", "mgr", T), field="reason")
    refused(ClearOverride("mgr", T), match="not overridden")
    refused(Grade("D", "admin", T), field="grade")


def test_a_manager_estimates_a_new_customers_growth_potential() -> None:
    estimated = AccountGrowthPotentialSet("a1", "SH01", 70, "mgr", T)
    spec.then(SetGrowthPotential(70, "mgr", T), [estimated])
    assert Spec(account).given(OPENED, estimated).when(SetGrowthPotential(70, "mgr", T)) == []
    Spec(account).given(OPENED, estimated).then(
        SetGrowthPotential(None, "mgr", T),
        [AccountGrowthPotentialSet("a1", "SH01", None, "mgr", T)],
    )
    with pytest.raises(DomainError) as caught:
        spec.when(SetGrowthPotential(101, "mgr", T))
    assert caught.value.field == "score"
