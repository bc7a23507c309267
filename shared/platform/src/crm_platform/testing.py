"""The one given/when/then helper every domain test uses: pure functions, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crm_platform.domain import Decider


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
