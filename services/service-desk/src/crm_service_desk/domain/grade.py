"""The service desk's own copy of each customer's grade (stream `customer-grade-<account id>`).

Grades are computed and overridden in the leads context; the desk only consumes
`leads.CustomerGradeChanged` so that opening a ticket never has to ask another service. The same
grade again, or a change older than the one already held, records nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import assert_never

from crm_events.leads import CustomerGradeChanged
from crm_events.service_desk import ServiceDeskGradeRecorded
from crm_platform.domain import Decider

from crm_service_desk.domain.sla import GRADES


@dataclass(frozen=True, slots=True)
class RecordGrade:
    account_id: str
    branch: str
    grade: str
    source: str
    changed_at: datetime


@dataclass(frozen=True, slots=True)
class Ungraded:
    """No grade has reached the desk for this account: its tickets are served as grade C."""


@dataclass(frozen=True, slots=True)
class Graded:
    account_id: str
    branch: str
    grade: str
    changed_at: datetime


State = Ungraded | Graded


def initial_state() -> State:
    return Ungraded()


def decide(command: RecordGrade, state: State) -> list[ServiceDeskGradeRecorded]:
    match command:
        case RecordGrade():
            previous = state.grade if isinstance(state, Graded) else None
            if isinstance(state, Graded) and (
                command.grade == state.grade or command.changed_at < state.changed_at
            ):
                return []
            return [
                ServiceDeskGradeRecorded(
                    command.account_id,
                    command.branch,
                    command.grade,
                    previous,
                    command.source,
                    command.changed_at,
                )
            ]
        case _:
            assert_never(command)


def evolve(state: State, event: ServiceDeskGradeRecorded) -> State:
    return Graded(event.account_id, event.branch, event.grade, event.changed_at)


customer_grade: Decider[RecordGrade, State, ServiceDeskGradeRecorded] = Decider(
    decide, evolve, initial_state
)


def stream_id(account_id: str) -> str:
    return f"customer-grade-{account_id}"


def current_grade(state: State) -> str | None:
    return state.grade if isinstance(state, Graded) else None


# --- reaction to the leads context (pure: a foreign event -> a command, or None) ----------------
def on_customer_grade_changed(e: CustomerGradeChanged) -> RecordGrade | None:
    """None for a grade the desk does not know (not A, B or C): its SLA would fall back to C."""
    grade = e.grade.strip().upper()
    if grade not in GRADES:
        return None
    return RecordGrade(e.account_id, e.branch, grade, e.source, e.changed_at)
