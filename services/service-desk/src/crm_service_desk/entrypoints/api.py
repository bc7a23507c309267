"""The internal HTTP API of the service-desk service (called by the gateway only), and its
workers: the desk's copy of customer grades kept from CustomerGradeChanged, and the SLA check
every minute. Paths, request models and roles come from crm_api.service_desk."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Annotated, Any

from crm_api import service_desk as api
from crm_events import Envelope, decode
from crm_events.leads import CustomerGradeChanged
from crm_events.service_desk import CONTEXT, SlaTarget
from crm_platform.domain import NotFound
from crm_platform.http import json_response, plain
from crm_platform.service import (
    Cmd,
    CurrentActor,
    Service,
    Store,
    accepted,
    handles,
    record,
    service_app,
)
from crm_platform.settings import Settings
from crm_platform.workers import Clock, every, reactions, utc_now
from fastapi import APIRouter, FastAPI, Query
from fastapi.responses import Response

from crm_service_desk.application import commands as c
from crm_service_desk.application import customers, desk, settings
from crm_service_desk.application.index import Index, catch_up

router = APIRouter()
R = {route.name: route for route in api.ROUTES}


class Desk:
    """The open tickets, tailed from this context's own store: the SLA check and the queue share it."""

    def __init__(self) -> None:
        self.index = Index()

    async def current(self, service_store: Any) -> Index:
        self.index = await catch_up(service_store, self.index)
        return self.index


DESK = Desk()


@handles(router, R["open_ticket"])
async def open_ticket(body: api.OpenTicket, req: Cmd, store: Store) -> Response:
    result = await c.open_ticket(
        store,
        req,
        account_id=body.account_id,
        ticket_type=body.ticket_type,
        channel=body.channel,
        severity=body.severity,
        subject=body.subject,
        description=body.description,
        branch=body.branch,
        product=body.product,
        contract_id=body.contract_id,
    )
    return accepted(result, 201)


@handles(router, R["assign_ticket"])
async def assign(ticket_id: str, body: api.Assign, req: Cmd, store: Store) -> Response:
    await c.get_ticket(store, req.actor, ticket_id)  # another branch's ticket: 404 before any rule
    return accepted(await c.assign_ticket(store, req, ticket_id, body.agent_id))


@handles(router, R["start_ticket_work"])
async def start(ticket_id: str, req: Cmd, store: Store) -> Response:
    return accepted(await c.start_work(store, req, ticket_id))


@handles(router, R["resolve_ticket"])
async def resolve(ticket_id: str, body: api.Note, req: Cmd, store: Store) -> Response:
    return accepted(await c.resolve_ticket(store, req, ticket_id, body.note))


@handles(router, R["close_ticket"])
async def close(ticket_id: str, req: Cmd, store: Store) -> Response:
    return accepted(await c.close_ticket(store, req, ticket_id))


@handles(router, R["reopen_ticket"])
async def reopen(ticket_id: str, body: api.TicketReason, req: Cmd, store: Store) -> Response:
    return accepted(await c.reopen_ticket(store, req, ticket_id, body.reason))


@handles(router, R["give_ticket_feedback"])
async def feedback(ticket_id: str, body: api.Feedback, req: Cmd, store: Store) -> Response:
    return accepted(
        await c.give_feedback(
            store, req, ticket_id, kind=body.kind, score=body.score, comment=body.comment
        )
    )


@handles(router, R["record_spare_part"])
async def spare_part(ticket_id: str, body: api.SparePart, req: Cmd, store: Store) -> Response:
    return accepted(
        await c.record_spare_part(
            store,
            req,
            ticket_id,
            part=body.part,
            quantity=body.quantity,
            unit_price=body.unit_price,
        )
    )


@handles(router, R["record_service_charge"])
async def charge(ticket_id: str, body: api.Charge, req: Cmd, store: Store) -> Response:
    return accepted(
        await c.record_service_charge(
            store, req, ticket_id, description=body.description, amount=body.amount
        )
    )


@handles(router, R["get_ticket"])
async def get_ticket(ticket_id: str, actor: CurrentActor, store: Store) -> Response:
    state, version = await c.get_ticket(store, actor, ticket_id)
    return record(plain(state) | {"id": ticket_id}, version)


@handles(router, R["ticket_queue"])
async def ticket_queue(
    actor: CurrentActor, store: Store, q: Annotated[api.Queue, Query()]
) -> Response:
    if q.branch is not None and not actor.sees(q.branch):
        raise NotFound("There is no such branch.")
    index = await DESK.current(store)
    tickets = [
        t for t in desk.queue(index, actor, q.assignee) if q.branch is None or t.branch == q.branch
    ]
    return json_response({"tickets": [plain(t) for t in tickets]})


@handles(router, R["log_care_contact"])
async def care(body: api.CareContact, req: Cmd, store: Store) -> Response:
    result = await customers.log_care_contact(
        store,
        req,
        account_id=body.account_id,
        kind=body.kind,
        note=body.note,
        branch=body.branch,
        ticket_id=body.ticket_id,
    )
    return accepted(result, 201)


@handles(router, R["get_care_log"])
async def care_log(customer_id: str, actor: CurrentActor, store: Store) -> Response:
    state, version = await customers.get_care_log(store, actor, customer_id)
    return record(plain(state) | {"account_id": customer_id}, version)


@handles(router, R["get_service_grade"])
async def service_grade(customer_id: str, actor: CurrentActor, store: Store) -> Response:
    state, version = await customers.get_service_grade(store, actor, customer_id)
    return record(plain(state) | {"account_id": customer_id}, version)


@handles(router, R["change_sla_policy"])
async def change_policy(body: api.SlaPolicy, req: Cmd, store: Store) -> Response:
    targets = tuple(SlaTarget(t.grade, t.ticket_type, t.hours) for t in body.targets)
    return accepted(
        await settings.change_sla_policy(
            store, req, targets=targets, near_breach_percent=body.near_breach_percent
        )
    )


@handles(router, R["get_sla_policy"])
async def get_policy(actor: CurrentActor, store: Store) -> Response:
    policy, version = await settings.get_sla_policy(store)
    return record(plain(policy), version)


# --- workers ------------------------------------------------------------------------------------
async def _grade_changed(service: Service, envelope: Envelope) -> None:
    event = decode(envelope)
    assert isinstance(event, CustomerGradeChanged)
    await customers.apply_grade_changed(
        service.store, event, event_id=envelope.event_id, cause=envelope.metadata
    )


async def _sla(service: Service, now: datetime) -> None:
    DESK.index, _ = await desk.check_sla(service.store, now, DESK.index)


def create_app(
    settings_: Settings | None = None,
    *,
    relay: bool = True,
    workers: bool = True,
    clock: Clock = utc_now,
) -> FastAPI:
    seconds = float(os.environ.get("CRM_SERVICE_DESK_CHECK_SECONDS", "60"))
    jobs = [
        reactions("leads", {"CustomerGradeChanged": _grade_changed}),
        every(seconds, _sla, clock),
    ]
    return service_app(
        CONTEXT, settings_ or Settings(), [router], relay=relay, workers=jobs if workers else []
    )
