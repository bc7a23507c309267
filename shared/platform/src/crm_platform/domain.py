"""What every aggregate and command handler shares: the decider shape and the domain errors."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

C = TypeVar("C")
S = TypeVar("S")
E = TypeVar("E")


@dataclass(frozen=True)
class Decider(Generic[C, S, E]):
    """An aggregate as three pure values (emmett's shape): no I/O, no clock, no random ids."""

    decide: Callable[[C, S], Sequence[E]]
    evolve: Callable[[S, E], S]
    initial_state: Callable[[], S]

    def fold(self, events: Sequence[E], state: S | None = None) -> S:
        for e in events:
            state = self.evolve(self.initial_state() if state is None else state, e)
        return self.initial_state() if state is None else state


class DomainError(Exception):
    """A command that breaks a business rule (HTTP 409), with words a salesperson understands."""

    def __init__(self, message: str, *, field: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details


class NotFound(DomainError):
    """The record does not exist, or the caller may not see it (the two are never told apart)."""
