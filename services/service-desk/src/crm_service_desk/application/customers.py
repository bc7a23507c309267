"""Care contacts, and the reaction that keeps the desk's copy of customer grades current."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID, uuid4

from crm_events import Metadata
from crm_events.leads import CustomerGradeChanged
from crm_events.service_desk import CONTEXT
from crm_platform.auth import Actor
from crm_platform.commands import Accepted, Request, branch_for
from crm_platform.domain import NotFound
from crm_platform.eventstore import EventStore
from crm_platform.handler import handle, load

from crm_service_desk.application.commands import FRONT_LINE, require_role
from crm_service_desk.domain import care, grade


def _care_visible_to(actor: Actor) -> Callable[[care.State], None]:
    """A first contact creates the account's care log; later ones need to see its branch."""

    def check(state: care.State) -> None:
        if isinstance(state, care.CareLog) and not actor.sees(state.branch):
            raise NotFound("There is no such customer.")

    return check


async def log_care_contact(
    store: EventStore,
    req: Request,
    *,
    account_id: str,
    kind: str,
    note: str,
    at: datetime | None = None,
    branch: str | None = None,
    ticket_id: str | None = None,
) -> Accepted:
    """`at` is when the call took place (default: now)."""
    require_role(req.actor, FRONT_LINE, "log care contacts")
    command = care.LogCareContact(
        contact_id=str(uuid4()),
        account_id=account_id,
        branch=branch_for(req.actor, branch),
        kind=kind,
        by=req.actor.user_id,
        note=note,
        at=at or req.at,
        logged_at=req.at,
        ticket_id=ticket_id,
    )
    result = await handle(
        store,
        care.care,
        care.stream_id(account_id),
        command,
        metadata=req.metadata(),
        occurred_at=req.at,
        expected_version=req.expected_version,
        idempotency_key=req.key(f"log-care-contact:{account_id}"),
        authorize=_care_visible_to(req.actor),
    )
    return Accepted.of(CONTEXT, account_id, result)


async def get_care_log(
    store: EventStore, actor: Actor, account_id: str
) -> tuple[care.CareLog, int]:
    loaded = await load(store, care.care, care.stream_id(account_id))
    state = loaded.state
    if not isinstance(state, care.CareLog) or not actor.sees(state.branch):
        raise NotFound("There is no such customer.")
    return state, loaded.version


async def get_service_grade(
    store: EventStore, actor: Actor, account_id: str
) -> tuple[grade.Graded, int]:
    """The desk's copy of a customer's grade; an ungraded customer (served as C) is not found."""
    loaded = await load(store, grade.customer_grade, grade.stream_id(account_id))
    state = loaded.state
    if not isinstance(state, grade.Graded) or not actor.sees(state.branch):
        raise NotFound("No grade has reached the service desk for this customer.")
    return state, loaded.version


async def apply_grade_changed(
    store: EventStore, event: CustomerGradeChanged, *, event_id: UUID | str, cause: Metadata
) -> Accepted | None:
    """The Kafka reaction to `leads.CustomerGradeChanged`; safe to deliver twice.

    `cause` is the metadata of the leads event: the change is recorded in that actor's name, with
    the leads event as its causation.
    """
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
