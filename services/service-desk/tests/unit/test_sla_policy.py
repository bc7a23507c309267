import math
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

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
    stream_id,
)
from hypothesis import given, settings
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


@pytest.mark.parametrize("hours", [1, 2, 8759, 8760])  # 8760 hours = 365 days
def test_a_target_is_one_hour_to_a_year(hours: int) -> None:
    target = SlaTarget("B", "repair", hours)
    spec.then(
        ChangeSlaPolicy((target,), Decimal(80), T0),
        [SlaPolicyChanged((target,), Decimal(80), T0)],
    )


@pytest.mark.parametrize("hours", [-1, 0, 8761, 8784])  # 8784 hours = 366 days
def test_a_target_beyond_a_year_or_under_an_hour_is_refused(hours: int) -> None:
    spec.refuses(
        ChangeSlaPolicy((SlaTarget("B", None, hours),), Decimal(80), T0),
        field="targets",
        match=r"^A target is between 1 hour and a year\.$",
    )


@pytest.mark.parametrize("percent", ["0.1", "0.5", "1", "99.5"])
def test_the_warning_may_come_at_any_share_strictly_between_none_and_all(percent: str) -> None:
    spec.then(
        ChangeSlaPolicy((), Decimal(percent), T0), [SlaPolicyChanged((), Decimal(percent), T0)]
    )


def test_refusals_say_what_a_policy_may_hold() -> None:
    spec.refuses(
        ChangeSlaPolicy((SlaTarget("A", "hug", 10),), Decimal(80), T0),
        field="targets",
        match=re.escape("A ticket type is one of complaint, inquiry, repair, service_request."),
    )
    spec.refuses(
        ChangeSlaPolicy((), Decimal(100), T0),
        field="near_breach_percent",
        match=re.escape(
            "The near-deadline warning comes after more than 0 % and before 100 % of the time."
        )
        + "$",
    )


def test_the_policy_folds_into_the_latest_change() -> None:
    first = SlaPolicyChanged((A_ALL,), Decimal(75), T0)
    latest = SlaPolicyChanged((A_REPAIR,), Decimal(90), T0)
    assert spec.given(first, latest).state() == SlaPolicy((A_REPAIR,), Decimal(90))


def test_the_policy_lives_on_one_company_stream() -> None:
    assert stream_id() == "sla-settings-company"


def test_an_unknown_command_is_a_programming_error_that_names_itself() -> None:
    with pytest.raises(AssertionError, match="not-a-command"):
        sla_policy.decide("not-a-command", SlaPolicy())  # type: ignore[arg-type]


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


DAYS_BY_GRADE = {"A": 3, "B": 4, "C": 5}  # DOMAIN.md §4, written out here, not imported


def expected_hours(targets: list[SlaTarget], grade: str, ticket_type: str) -> int:
    """The rule in words: the type's own target, else the grade's, else the grade's default;
    a grade the desk does not know is served as C."""
    grade = grade if grade in DAYS_BY_GRADE else "C"
    own = [t.hours for t in targets if (t.grade, t.ticket_type) == (grade, ticket_type)]
    whole_grade = [t.hours for t in targets if (t.grade, t.ticket_type) == (grade, None)]
    return (own or whole_grade or [DAYS_BY_GRADE[grade] * 24])[0]


@settings(max_examples=100)
@given(targets, st.decimals(1, 99, places=1), grades, types, st.booleans(), moments)
def test_deadline_arithmetic(
    targets: list[SlaTarget],
    percent: Decimal,
    grade: str,
    ticket_type: str,
    urgent: bool,
    opened_at: datetime,
) -> None:
    hours = expected_hours(targets, grade, ticket_type)
    span_us = hours * 3600 * 1_000_000 // (2 if urgent else 1)  # whole hours: halving is exact
    near_us = math.floor(Fraction(span_us) * Fraction(str(percent)) / 100)

    d = deadlines(SlaPolicy(tuple(targets), percent), grade, ticket_type, urgent, opened_at)

    assert d.sla_hours == (Decimal(hours) / 2 if urgent else Decimal(hours))
    assert d.deadline == opened_at + timedelta(microseconds=span_us)
    assert d.near_breach_at == opened_at + timedelta(microseconds=near_us)
    assert opened_at < d.near_breach_at < d.deadline


@pytest.mark.parametrize(
    ("grade", "ticket_type", "urgent", "hours"),
    [
        ("A", "repair", False, 24),  # the type's own target
        ("A", "repair", True, 12),
        ("A", "inquiry", False, 48),  # the grade's target
        ("A", "complaint", True, 24),
        ("B", "repair", False, 96),  # the default: 4 days
        ("C", "repair", True, 60),  # 5 days, halved
        ("Z", "repair", False, 120),  # unknown grade: served as C
    ],
)
def test_deadlines_by_hand(grade: str, ticket_type: str, urgent: bool, hours: int) -> None:
    d = deadlines(SlaPolicy((A_REPAIR, A_ALL), Decimal(75)), grade, ticket_type, urgent, T0)
    assert d.deadline == T0 + timedelta(hours=hours)
    assert d.near_breach_at == T0 + timedelta(hours=hours * 3 / 4)


@given(st.sampled_from("ABC"), st.sampled_from("ABC"), types)
def test_a_better_grade_never_waits_longer_by_default(g1: str, g2: str, ticket_type: str) -> None:
    d1 = deadlines(SlaPolicy(), g1, ticket_type, False, T0)
    d2 = deadlines(SlaPolicy(), g2, ticket_type, False, T0)
    assert (g1 <= g2) == (d1.deadline <= d2.deadline)
