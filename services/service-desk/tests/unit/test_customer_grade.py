from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from crm_events.leads import CustomerGradeChanged
from crm_events.service_desk import ServiceDeskGradeRecorded
from crm_platform.testing import Spec
from crm_service_desk.domain.grade import (
    Graded,
    RecordGrade,
    current_grade,
    customer_grade,
    on_customer_grade_changed,
)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=30)
spec = Spec(customer_grade)
RECORDED_B = ServiceDeskGradeRecorded("a1", "SH01", "B", None, "computed", T0)


def changed(grade: str, at: datetime = T1, previous: str | None = "B") -> CustomerGradeChanged:
    return CustomerGradeChanged("a1", "SH01", grade, previous, "override", at)


def test_the_reaction_turns_a_grade_change_into_a_record() -> None:
    assert on_customer_grade_changed(changed("A")) == RecordGrade("a1", "SH01", "A", "override", T1)


def test_the_reaction_normalises_and_skips_unknown_grades() -> None:
    assert on_customer_grade_changed(changed(" a ")) == RecordGrade(
        "a1", "SH01", "A", "override", T1
    )
    assert on_customer_grade_changed(changed("D")) is None


def test_a_first_grade_is_recorded() -> None:
    spec.then(RecordGrade("a1", "SH01", "B", "computed", T0), [RECORDED_B])


def test_a_new_grade_records_the_previous_one() -> None:
    spec.given(RECORDED_B).then(
        RecordGrade("a1", "SH01", "A", "override", T1),
        [ServiceDeskGradeRecorded("a1", "SH01", "A", "B", "override", T1)],
    )


def test_the_same_grade_again_records_nothing() -> None:
    spec.given(RECORDED_B).then(RecordGrade("a1", "SH01", "B", "computed", T1), [])


def test_an_older_change_delivered_late_records_nothing() -> None:
    spec.given(RECORDED_B).then(RecordGrade("a1", "SH01", "A", "computed", T0 - timedelta(1)), [])


def test_reacting_twice_to_the_same_event_records_once() -> None:
    command = on_customer_grade_changed(changed("A"))
    assert command is not None
    state = customer_grade.fold([RECORDED_B])
    [first] = customer_grade.decide(command, state)
    assert customer_grade.decide(command, customer_grade.evolve(state, first)) == []


def test_an_ungraded_customer_has_no_grade_until_one_arrives() -> None:
    assert current_grade(customer_grade.fold([])) is None
    assert current_grade(customer_grade.fold([RECORDED_B])) == "B"


def test_a_different_grade_at_the_same_moment_is_recorded() -> None:
    spec.given(RECORDED_B).then(
        RecordGrade("a1", "SH01", "A", "override", T0),
        [ServiceDeskGradeRecorded("a1", "SH01", "A", "B", "override", T0)],
    )


def test_the_desk_holds_the_latest_grade_with_its_account_branch_and_moment() -> None:
    moved = ServiceDeskGradeRecorded("a1", "BJ02", "A", "B", "override", T1)
    assert spec.given(RECORDED_B).state() == Graded("a1", "SH01", "B", T0)
    assert spec.given(RECORDED_B, moved).state() == Graded("a1", "BJ02", "A", T1)


@dataclass(frozen=True)
class Stray:
    """Not a command of the grade copy."""


def test_an_unknown_command_is_a_programming_error_that_names_itself() -> None:
    with pytest.raises(AssertionError, match="Stray"):
        customer_grade.decide(Stray(), spec.state())  # type: ignore[arg-type]
