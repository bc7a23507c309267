from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from crm_events.service_desk import SlaPolicyChanged, SlaTarget
from crm_platform.domain import DomainError
from crm_platform.testing import Spec
from crm_service_desk.domain.sla import (
    TICKET_TYPES,
    ChangeSlaPolicy,
    SlaPolicy,
    deadlines,
    sla_policy,
)
from hypothesis import given
from hypothesis import strategies as st

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
spec = Spec(sla_policy)
A_REPAIR = SlaTarget("A", "repair", 24)
A_ALL = SlaTarget("A", None, 48)


def test_an_admin_sets_targets_per_grade_and_type() -> None:
    spec.then(
        ChangeSlaPolicy((A_REPAIR, A_ALL), Decimal(75), T0),
        [SlaPolicyChanged((A_ALL, A_REPAIR), Decimal(75), T0)],  # kept in a stable order
    )


def test_the_same_policy_again_changes_nothing() -> None:
    given_ = SlaPolicyChanged((A_ALL, A_REPAIR), Decimal(75), T0)
    spec.given(given_).then(ChangeSlaPolicy((A_REPAIR, A_ALL), Decimal(75), T0), [])


def test_without_settings_the_domain_defaults_hold() -> None:
    policy = sla_policy.fold([])
    assert [policy.hours(g, "repair") for g in "ABC"] == [72, 96, 120]
    assert policy.near_breach_percent == 80


def test_a_type_target_wins_over_the_grade_target_which_wins_over_the_default() -> None:
    policy = SlaPolicy((A_ALL, A_REPAIR))
    assert (policy.hours("A", "repair"), policy.hours("A", "inquiry")) == (24, 48)
    assert policy.hours("B", "repair") == 96


@pytest.mark.parametrize(
    ("targets", "percent", "field"),
    [
        ((SlaTarget("D", None, 10),), Decimal(80), "targets"),
        ((SlaTarget("A", "hug", 10),), Decimal(80), "targets"),
        ((SlaTarget("A", None, 0),), Decimal(80), "targets"),
        ((SlaTarget("A", None, 24 * 366),), Decimal(80), "targets"),
        ((A_ALL, SlaTarget("A", None, 10)), Decimal(80), "targets"),
        ((), Decimal(0), "near_breach_percent"),
        ((), Decimal(100), "near_breach_percent"),
    ],
)
def test_bad_policies_are_refused_naming_the_field(
    targets: tuple[SlaTarget, ...], percent: Decimal, field: str
) -> None:
    with pytest.raises(DomainError) as refused:
        spec.when(ChangeSlaPolicy(targets, percent, T0))
    assert refused.value.field == field


grades = st.sampled_from(["A", "B", "C", "X"])
types = st.sampled_from(sorted(TICKET_TYPES))
targets = st.lists(
    st.builds(SlaTarget, st.sampled_from("ABC"), st.none() | types, st.integers(1, 24 * 365)),
    max_size=8,
    unique_by=lambda t: (t.grade, t.ticket_type),
)
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@given(targets, st.decimals(1, 99, places=1), grades, types, st.booleans(), moments)
def test_deadline_arithmetic(
    targets: list[SlaTarget],
    percent: Decimal,
    grade: str,
    ticket_type: str,
    urgent: bool,
    opened_at: datetime,
) -> None:
    policy = SlaPolicy(tuple(targets), percent)
    hours = policy.hours(grade if grade in "ABC" else "C", ticket_type)
    d = deadlines(policy, grade, ticket_type, urgent, opened_at)
    span = timedelta(hours=hours) / (2 if urgent else 1)
    assert d.deadline - opened_at == span
    assert d.sla_hours * (2 if urgent else 1) == hours
    assert opened_at < d.near_breach_at < d.deadline
    used = (d.near_breach_at - opened_at) / span
    assert abs(Decimal(used) - percent / 100) < Decimal("0.000001")


@given(st.sampled_from("ABC"), st.sampled_from("ABC"), types)
def test_a_better_grade_never_waits_longer_by_default(g1: str, g2: str, ticket_type: str) -> None:
    d1 = deadlines(SlaPolicy(), g1, ticket_type, False, T0)
    d2 = deadlines(SlaPolicy(), g2, ticket_type, False, T0)
    assert (g1 <= g2) == (d1.deadline <= d2.deadline)
