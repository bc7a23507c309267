"""The SLA policy (DOMAIN.md §4): response time per customer grade, overridable per ticket type.

One company-wide settings aggregate (stream `sla-settings-company`), changed by an admin. Each
change states the whole policy; a grade without a target keeps the defaults A 3 days, B 4, C 5.
Times are calendar hours (no business-hours calendar): urgent severity halves them, and a ticket is
flagged near its deadline once `near_breach_percent` of its SLA time has passed (default 80 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import assert_never

from crm_events.service_desk import SlaPolicyChanged, SlaTarget
from crm_platform.domain import Decider, DomainError

GRADES = ("A", "B", "C")
FALLBACK_GRADE = "C"  # a customer without a (known) grade is served as C
TICKET_TYPES = frozenset({"complaint", "repair", "service_request", "inquiry"})
DEFAULT_HOURS: dict[str, int] = {"A": 72, "B": 96, "C": 120}
DEFAULT_NEAR_BREACH_PERCENT = Decimal(80)
MAX_HOURS = 24 * 365


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    targets: tuple[SlaTarget, ...] = ()
    near_breach_percent: Decimal = DEFAULT_NEAR_BREACH_PERCENT

    def hours(self, grade: str, ticket_type: str) -> int:
        """The SLA of a normal-severity ticket: the type's own target, else the grade's."""
        grade = effective_grade(grade)
        by_key: dict[tuple[str, str | None], int] = {
            (t.grade, t.ticket_type): t.hours for t in self.targets
        }
        return by_key.get((grade, ticket_type), by_key.get((grade, None), DEFAULT_HOURS[grade]))


DEFAULT_POLICY = SlaPolicy()


@dataclass(frozen=True, slots=True)
class Deadlines:
    sla_hours: Decimal
    deadline: datetime
    near_breach_at: datetime


def effective_grade(grade: str | None) -> str:
    return grade if grade is not None and grade in GRADES else FALLBACK_GRADE


def deadlines(
    policy: SlaPolicy, grade: str | None, ticket_type: str, urgent: bool, opened_at: datetime
) -> Deadlines:
    hours = Decimal(policy.hours(effective_grade(grade), ticket_type))
    if urgent:
        hours /= 2
    span_us = int(hours * 3600 * 1_000_000)
    near_us = int(span_us * policy.near_breach_percent / 100)
    return Deadlines(
        sla_hours=hours,
        deadline=opened_at + timedelta(microseconds=span_us),
        near_breach_at=opened_at + timedelta(microseconds=near_us),
    )


# --- the settings aggregate ---------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ChangeSlaPolicy:
    targets: tuple[SlaTarget, ...]
    near_breach_percent: Decimal
    at: datetime


def _validate(command: ChangeSlaPolicy) -> None:
    keys = [(t.grade, t.ticket_type) for t in command.targets]
    if len(set(keys)) != len(keys):
        raise DomainError("Each grade and ticket type has one target at most.", field="targets")
    for t in command.targets:
        if t.grade not in GRADES:
            raise DomainError("A target is for grade A, B or C.", field="targets")
        if t.ticket_type is not None and t.ticket_type not in TICKET_TYPES:
            raise DomainError(
                f"A ticket type is one of {', '.join(sorted(TICKET_TYPES))}.", field="targets"
            )
        if not 1 <= t.hours <= MAX_HOURS:
            raise DomainError("A target is between 1 hour and a year.", field="targets")
    if not 0 < command.near_breach_percent < 100:
        raise DomainError(
            "The near-deadline warning comes after more than 0 % and before 100 % of the time.",
            field="near_breach_percent",
        )


def decide(command: ChangeSlaPolicy, state: SlaPolicy) -> list[SlaPolicyChanged]:
    match command:
        case ChangeSlaPolicy():
            _validate(command)
            targets = tuple(sorted(command.targets, key=lambda t: (t.grade, t.ticket_type or "")))
            if SlaPolicy(targets, command.near_breach_percent) == state:
                return []
            return [SlaPolicyChanged(targets, command.near_breach_percent, command.at)]
        case _:
            assert_never(command)


def evolve(state: SlaPolicy, event: SlaPolicyChanged) -> SlaPolicy:
    return SlaPolicy(event.targets, event.near_breach_percent)


sla_policy: Decider[ChangeSlaPolicy, SlaPolicy, SlaPolicyChanged] = Decider(
    decide, evolve, SlaPolicy
)


def stream_id() -> str:
    return "sla-settings-company"
