"""Given/when/then for the customer account's rules, and the state each event leaves behind (what
the customer page answers), checked field by field."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from crm_events.leads import (
    AccountContact,
    AccountContactRemoved,
    AccountContactSaved,
    AccountDelegated,
    AccountDelegationRevoked,
    AccountDetailsUpdated,
    AccountGradeComputed,
    AccountGradeOverridden,
    AccountGradeOverrideCleared,
    AccountGrowthPotentialSet,
    AccountInteractionLogged,
    AccountOwnerChanged,
    CustomerGradeChanged,
)
from crm_leads.domain.account import (
    Account,
    ClearOverride,
    Delegate,
    Delegation,
    Grade,
    LogInteraction,
    Open,
    Override,
    Reassign,
    RemoveContact,
    RevokeDelegation,
    SaveContact,
    SetGrowthPotential,
    UpdateDetails,
    account,
)
from crm_platform.testing import Spec
from hypothesis import given, settings
from hypothesis import strategies as st

from .account_history import CFO, OPENED, T

D = timedelta(days=1)
OPEN_ACCOUNT = Account(
    "a1", "SH01", "Huadong Steel", "steel", "large", "alice", Decimal(500000), 60, "l1"
)
spec = Spec(account)
opened = spec.given(OPENED)
CTO = AccountContact("k2", "Qian Lei", "CTO", None, "13900139000", "technical_evaluator")


def test_an_opened_account_holds_its_details_and_nothing_else_yet() -> None:
    assert opened.state() == OPEN_ACCOUNT
    assert opened.state().grade is None


def update(size: str = "medium", credit: str = "300000", days: int = 45) -> UpdateDetails:
    return UpdateDetails("Huadong Steel Group", "metals", size, Decimal(credit), days, T + D)


def test_details_are_updated_and_the_account_answers_the_new_ones() -> None:
    updated = AccountDetailsUpdated(
        "a1", "Huadong Steel Group", "metals", "medium", Decimal(300000), 45, T + D
    )
    opened.then(update(), [updated])
    assert spec.given(OPENED, updated).state() == Account(
        "a1", "SH01", "Huadong Steel Group", "metals", "medium", "alice", Decimal(300000), 45, "l1"
    )
    spec.refuses(update(), match="no such customer account")


@pytest.mark.parametrize(
    ("size", "credit", "days", "field"),
    [
        ("huge", "0", 30, "size"),
        ("small", "-0.01", 30, "credit_limit"),
        ("small", "0", -1, "payment_days"),
        ("small", "0", 366, "payment_days"),
    ],
)
def test_details_out_of_range_are_refused_by_field(
    size: str, credit: str, days: int, field: str
) -> None:
    opened.refuses(update(size, credit, days), field=field)
    open_ = Open("a2", "SH01", "X", "y", size, "alice", Decimal(credit), days, None, T)
    spec.refuses(open_, field=field)


@pytest.mark.parametrize(("credit", "days"), [("0", 0), ("0", 365), ("1", 30)])
def test_cash_terms_and_a_year_of_credit_are_the_bounds(credit: str, days: int) -> None:
    (event,) = opened.when(update("small", credit, days))
    assert isinstance(event, AccountDetailsUpdated)
    assert (event.credit_limit, event.payment_days) == (Decimal(credit), days)
    opened.refuses(
        Open("a1", "SH01", "X", "y", "small", "alice", Decimal(credit), days, None, T),
        match="already open",
    )


@pytest.mark.parametrize("score", [0, 100])
def test_a_growth_potential_is_0_to_100(score: int) -> None:
    opened.then(
        SetGrowthPotential(score, "mgr", T),
        [AccountGrowthPotentialSet("a1", "SH01", score, "mgr", T)],
    )
    set_ = AccountGrowthPotentialSet("a1", "SH01", score, "mgr", T)
    assert spec.given(OPENED, set_).state().growth_potential == score
    opened.refuses(SetGrowthPotential(-1, "mgr", T), field="score")


# --- contacts -------------------------------------------------------------------------------------
def test_saving_a_contact_again_replaces_it_and_removing_drops_only_that_one() -> None:
    saved = (AccountContactSaved("a1", CFO, T), AccountContactSaved("a1", CTO, T))
    assert spec.given(OPENED, *saved).state().contacts == (CFO, CTO)
    cfo_promoted = AccountContact(
        "k1", "Zhao Min", "CEO", "zhao@huadong.cn", None, "decision_maker"
    )
    resaved = AccountContactSaved("a1", cfo_promoted, T + D)
    assert spec.given(OPENED, *saved, resaved).state().contacts == (CTO, cfo_promoted)
    removed = AccountContactRemoved("a1", "k2", T + D)
    spec.given(OPENED, *saved).then(RemoveContact("k2", T + D), [removed])
    assert spec.given(OPENED, *saved, removed).state().contacts == (CFO,)
    bad = AccountContact("k3", "X", "", None, None, "cheerleader")
    opened.refuses(SaveContact(bad, T), field="buying_role", match="decision_maker, finance")


# --- interactions ---------------------------------------------------------------------------------
def test_interactions_are_counted_costed_and_the_latest_is_remembered() -> None:
    call = AccountInteractionLogged("a1", "SH01", "i1", "call", "alice", "", Decimal(0), T + 3 * D)
    visit = AccountInteractionLogged(
        "a1", "SH01", "i2", "visit", "alice", "", Decimal("300.50"), T + 5 * D
    )
    # an earlier meeting logged late does not move the last interaction back
    late = AccountInteractionLogged(
        "a1", "SH01", "i3", "meeting", "bob", "", Decimal("99.50"), T + D
    )
    state = spec.given(OPENED, call, visit, late).state()
    assert state.interactions == 3
    assert state.interaction_cost == Decimal(400)
    assert state.last_interaction_at == T + 5 * D
    assert spec.given(OPENED, call).state().last_interaction_at == T + 3 * D


def test_an_interaction_is_free_or_costs_something_but_never_less() -> None:
    opened.then(
        LogInteraction("i1", "call", "alice", "", Decimal(0), T),
        [AccountInteractionLogged("a1", "SH01", "i1", "call", "alice", "", Decimal(0), T)],
    )
    opened.refuses(LogInteraction("i1", "call", "alice", "", Decimal("-0.01"), T), field="cost")
    opened.refuses(
        LogInteraction("i1", "party", "alice", "", Decimal(0), T),
        field="kind",
        match="call, complaint, email",
    )


# --- delegation -----------------------------------------------------------------------------------
def test_a_one_day_delegation_covers_that_day() -> None:
    day = date(2026, 12, 1)
    delegated = AccountDelegated("a1", "alice", "bob", day, day, "mgr", T)
    opened.then(Delegate("bob", day, day, "mgr", T), [delegated])
    state = spec.given(OPENED, delegated).state()
    assert state.acting_owners(day) == ("alice", "bob")
    assert state.acting_owners(day - D) == state.acting_owners(day + D) == ("alice",)


def test_a_delegation_covers_its_first_and_last_day() -> None:
    delegated = AccountDelegated(
        "a1", "alice", "bob", date(2026, 12, 1), date(2026, 12, 20), "mgr", T
    )
    state = spec.given(OPENED, delegated).state()
    assert state.acting_owners(date(2026, 12, 1)) == ("alice", "bob")
    assert state.acting_owners(date(2026, 12, 20)) == ("alice", "bob")
    assert state.acting_owners(date(2026, 11, 30)) == ("alice",)


def test_delegating_again_replaces_that_delegates_period_only() -> None:
    bob = AccountDelegated("a1", "alice", "bob", date(2026, 12, 1), date(2026, 12, 5), "mgr", T)
    carol = AccountDelegated("a1", "alice", "carol", date(2026, 12, 1), date(2026, 12, 9), "mgr", T)
    bob_again = AccountDelegated(
        "a1", "alice", "bob", date(2026, 12, 10), date(2026, 12, 12), "mgr", T
    )
    assert spec.given(OPENED, bob, carol, bob_again).state().delegations == (
        Delegation("carol", date(2026, 12, 1), date(2026, 12, 9)),
        Delegation("bob", date(2026, 12, 10), date(2026, 12, 12)),
    )


def test_the_owner_does_not_delegate_to_themselves() -> None:
    opened.refuses(
        Delegate("alice", date(2026, 12, 1), date(2026, 12, 2), "mgr", T), field="delegate"
    )


def test_a_revoked_delegation_ends_and_the_others_stay() -> None:
    bob = AccountDelegated("a1", "alice", "bob", date(2026, 12, 1), date(2026, 12, 5), "mgr", T)
    carol = AccountDelegated("a1", "alice", "carol", date(2026, 12, 1), date(2026, 12, 9), "mgr", T)
    revoked = AccountDelegationRevoked("a1", "bob", "mgr", T + D)
    spec.given(OPENED, bob, carol).then(RevokeDelegation("bob", "mgr", T + D), [revoked])
    state = spec.given(OPENED, bob, carol, revoked).state()
    assert state.delegations == (Delegation("carol", date(2026, 12, 1), date(2026, 12, 9)),)
    assert state.acting_owners(date(2026, 12, 3)) == ("alice", "carol")
    spec.given(OPENED, bob).refuses(RevokeDelegation("dave", "mgr", T), field="delegate")
    spec.refuses(RevokeDelegation("bob", "mgr", T), match="no such customer account")


# --- permanent transfer ---------------------------------------------------------------------------
def test_a_transfer_changes_the_owner_and_remembers_the_transfer() -> None:
    moved = AccountOwnerChanged("a1", "alice", "bob", "t1", T)
    state = spec.given(OPENED, moved).state()
    assert (state.owner_id, state.transfers) == ("bob", frozenset({"t1"}))
    again = AccountOwnerChanged("a1", "bob", "carol", "t2", T)
    assert spec.given(OPENED, moved, again).state().transfers == {"t1", "t2"}


def test_a_transfer_of_someone_elses_accounts_leaves_this_one_alone() -> None:
    assert opened.when(Reassign("t1", "dave", "bob", T)) == []
    assert spec.when(Reassign("t1", "alice", "bob", T)) == []


def test_replaying_an_old_transfer_after_the_account_came_back_moves_nothing() -> None:
    there = AccountOwnerChanged("a1", "alice", "bob", "t1", T)
    back = AccountOwnerChanged("a1", "bob", "alice", "t2", T + D)
    assert spec.given(OPENED, there, back).when(Reassign("t1", "alice", "bob", T)) == []


# --- grades ---------------------------------------------------------------------------------------
def test_an_override_and_its_clearing_record_who_made_them() -> None:
    computed = AccountGradeComputed("a1", "B", "computed", T)
    overridden = AccountGradeOverridden("a1", "A", "strategic", "root", T)
    spec.given(OPENED, computed).then(
        Override("A", "strategic", "root", T),
        [overridden, CustomerGradeChanged("a1", "SH01", "A", "B", "override", T)],
    )
    cleared = AccountGradeOverrideCleared("a1", "root", T + D)
    spec.given(OPENED, computed, overridden).then(
        ClearOverride("root", T + D),
        [cleared, CustomerGradeChanged("a1", "SH01", "B", "A", "override-cleared", T + D)],
    )
    spec.given(OPENED, computed).refuses(Override("D", "strategic", "mgr", T), field="grade")


def test_the_effective_grade_is_the_override_while_it_lasts() -> None:
    computed = AccountGradeComputed("a1", "B", "computed", T)
    published = CustomerGradeChanged("a1", "SH01", "B", None, "computed", T)
    overridden = AccountGradeOverridden("a1", "A", "strategic", "mgr", T)
    state = spec.given(OPENED, computed, published, overridden).state()
    assert (state.computed_grade, state.override_grade, state.grade) == ("B", "A", "A")
    cleared = AccountGradeOverrideCleared("a1", "mgr", T)
    state = spec.given(OPENED, computed, published, overridden, cleared).state()
    assert (state.computed_grade, state.override_grade, state.grade) == ("B", None, "B")
    # the published change is a message to others; it changes nothing on the account
    assert spec.given(OPENED, computed, published).state() == spec.given(OPENED, computed).state()


def test_clearing_an_override_that_matches_the_computed_grade_publishes_nothing() -> None:
    computed = AccountGradeComputed("a1", "B", "computed", T)
    overridden = AccountGradeOverridden("a1", "B", "confirmed", "mgr", T)
    spec.given(OPENED, computed, overridden).then(
        ClearOverride("mgr", T), [AccountGradeOverrideCleared("a1", "mgr", T)]
    )


GRADES = st.sampled_from(["A", "B", "C"])


@settings(max_examples=150)
@given(
    steps=st.lists(
        st.one_of(
            st.tuples(st.just("compute"), GRADES),
            st.tuples(st.just("override"), GRADES),
            st.tuples(st.just("clear"), st.none()),
        ),
        max_size=8,
    )
)
def test_every_change_of_the_effective_grade_is_published_once_and_only_then(
    steps: list[tuple[str, str | None]],
) -> None:
    history: list[object] = [OPENED]
    computed: str | None = None
    override: str | None = None
    for kind, grade in steps:
        before = override or computed
        if kind == "compute":
            assert grade is not None
            events = spec.given(*history).when(Grade(grade, "computed", T))
            computed = grade
        elif kind == "override":
            assert grade is not None
            events = spec.given(*history).when(Override(grade, "why", "mgr", T))
            override = grade
        elif override is None:
            spec.given(*history).refuses(ClearOverride("mgr", T))
            continue
        else:
            events = spec.given(*history).when(ClearOverride("mgr", T))
            override = None
        after = override or computed
        published = [e for e in events if isinstance(e, CustomerGradeChanged)]
        # with no computed grade behind it, clearing an override leaves no grade to publish
        # (CustomerGradeChanged carries a grade): the service desk keeps the last one it had
        if after != before and after is not None:
            assert published == [
                CustomerGradeChanged("a1", "SH01", after, before, _source(kind), T)
            ]
        else:
            assert published == []
        history.extend(events)
        assert spec.given(*history).state().grade == after


def _source(kind: str) -> str:
    return {"compute": "computed", "override": "override", "clear": "override-cleared"}[kind]
