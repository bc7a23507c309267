"""The agent's queue (DOMAIN.md §4): grade first (A before B before C), then the earlier deadline,
then the earlier opening; the ticket id breaks the last ties so the order is total."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol, TypeVar

from crm_service_desk.domain.sla import GRADES, effective_grade


class Queued(Protocol):
    @property
    def ticket_id(self) -> str: ...
    @property
    def grade(self) -> str: ...
    @property
    def deadline(self) -> datetime: ...
    @property
    def opened_at(self) -> datetime: ...


Q = TypeVar("Q", bound=Queued)


def queue_key(t: Queued) -> tuple[int, datetime, datetime, str]:
    return (GRADES.index(effective_grade(t.grade)), t.deadline, t.opened_at, t.ticket_id)


def in_queue_order(tickets: Iterable[Q]) -> list[Q]:
    return sorted(tickets, key=queue_key)
