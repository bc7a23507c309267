"""Reactions to the leads context: the desk keeps its own copy of each customer's grade from
`CustomerGradeChanged`, so opening a ticket never has to ask another service."""

from __future__ import annotations

from uuid import UUID

from crm_events import Envelope, Metadata, decode
from crm_events.leads import CustomerGradeChanged
from crm_events.service_desk import CONTEXT
from crm_platform.commands import Accepted
from crm_platform.eventstore import EventStore
from crm_platform.handler import handle
from crm_platform.service import Service
from crm_platform.workers import reactions

from crm_service_desk.domain import grade


async def record_grade(
    store: EventStore, event: CustomerGradeChanged, *, event_id: UUID | str, cause: Metadata
) -> Accepted | None:
    """Safe to deliver twice. The change is recorded in the name of the leads event's actor, with
    that event as its cause; None for a grade the desk does not know."""
    command = grade.on_customer_grade_changed(event)
    if command is None:
        return None
    result = await handle(
        store,
        grade.customer_grade,
        grade.stream_id(event.account_id),
        command,
        metadata=cause._replace(causation_id=str(event_id)),
        occurred_at=event.changed_at,
        idempotency_key=f"customer-grade-changed:{event_id}",
    )
    return Accepted.of(CONTEXT, event.account_id, result)


async def grade_changed(service: Service, envelope: Envelope) -> None:
    event = decode(envelope)
    assert isinstance(event, CustomerGradeChanged)
    await record_grade(service.store, event, event_id=envelope.event_id, cause=envelope.metadata)


REACTIONS = reactions("leads", {"CustomerGradeChanged": grade_changed})
