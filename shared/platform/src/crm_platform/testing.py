"""The one given/when/then helper every domain test uses: pure functions, no I/O."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crm_platform.domain import Decider, DomainError


@dataclass(frozen=True)
class Spec:
    decider: Decider[Any, Any, Any]
    history: Sequence[Any] = ()

    def given(self, *events: Any) -> Spec:
        return Spec(self.decider, events)

    def when(self, command: Any) -> list[Any]:
        return list(self.decider.decide(command, self.decider.fold(self.history)))

    def then(self, command: Any, expected: Sequence[Any]) -> None:
        assert self.when(command) == list(expected)

    def state(self) -> Any:
        """The state the history folds to: what a record's read answers, checked field by field."""
        return self.decider.fold(self.history)

    def refuses(
        self, command: Any, *, field: str | None = None, match: str | None = None
    ) -> DomainError:
        """The command breaks a rule: a DomainError naming `field` (None: the record as a whole)."""
        try:
            events = self.when(command)
        except DomainError as error:
            assert error.field == field, f"refused naming {error.field!r}, not {field!r}: {error}"
            assert match is None or re.search(match, str(error)), f"{error} !~ {match}"
            return error
        raise AssertionError(f"{command!r} was accepted with {events!r}")
