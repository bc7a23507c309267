"""What every service's application layer shares: the request a command call carries, the answer
it gets, and who may touch which branch's records (DOMAIN.md §0)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import uuid4

from crm_events import Metadata

from crm_platform.auth import Actor
from crm_platform.consistency import ConsistencyToken
from crm_platform.domain import DomainError, NotFound
from crm_platform.eventstore import AppendResult


@dataclass(frozen=True, slots=True)
class Accepted:
    id: str
    version: int
    position: int
    consistency_token: str

    @classmethod
    def of(cls, context: str, record_id: str, result: AppendResult) -> Accepted:
        token = ConsistencyToken(context, result.stream_id, result.version)
        return cls(record_id, result.version, result.position, str(token))


@dataclass(frozen=True, slots=True)
class Request:
    """What every command call carries besides its own fields."""

    actor: Actor
    correlation_id: str
    at: datetime
    idempotency_key: str | None = None
    expected_version: int | None = None
    causation_id: str | None = None

    def key(self, command: str) -> str | None:
        """Idempotency keys are scoped to the caller and the command, so they never collide."""
        if self.idempotency_key is None:
            return None
        return f"{self.actor.user_id}|{command}|{self.idempotency_key}"

    def metadata(self) -> Metadata:
        return Metadata(
            self.actor.user_id,
            self.actor.role,
            self.actor.branch,
            self.correlation_id,
            causation_id=self.causation_id or str(uuid4()),
        )


def branch_for(actor: Actor, requested: str | None) -> str:
    """The branch a new record belongs to: the caller's own, or the one an HQ caller names."""
    if actor.is_hq:
        if not requested:
            raise DomainError(
                "HQ staff must say which branch the record belongs to.", field="branch"
            )
        return requested
    if requested and requested != actor.branch:
        raise DomainError("You can only create records for your own branch.", field="branch")
    return actor.branch


def visible_to(
    actor: Actor, kind: str, branch_of: Callable[[Any], str | None]
) -> Callable[[Any], None]:
    """An `authorize` hook for `handle`: a record the actor may not see does not exist for them.

    `branch_of(state)` answers the record's branch, or None when the stream holds no record yet.
    """

    def check(state: Any) -> None:
        branch = branch_of(state)
        if branch is None or not actor.sees(branch):
            raise NotFound(f"There is no such {kind}.")

    return check
