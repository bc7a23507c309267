"""The internal HTTP API of the contracts service (called by the gateway only), and its workers:
drafting a contract from every OpportunityWon (idempotent), and the overdue check every minute.
Paths, request models and roles come from crm_api.contracts."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any
from uuid import uuid4

from crm_api import contracts as api
from crm_events import Envelope
from crm_events.contracts import CONTEXT, ContractLine, Instalment
from crm_platform.http import plain
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
from fastapi import APIRouter, FastAPI
from fastapi.responses import Response

from crm_contracts.application import commands as c
from crm_contracts.application import overdue
from crm_contracts.application.queries import get_contract
from crm_contracts.application.reactions import draft_from_opportunity_won

router = APIRouter()
R = {route.name: route for route in api.ROUTES}


def _lines(lines: list[api.ContractLine]) -> tuple[ContractLine, ...]:
    return tuple(
        ContractLine(
            x.line_id or str(uuid4()),
            x.product,
            x.product_line,
            x.quantity,
            x.unit_price,
            x.unit_cost,
        )
        for x in lines
    )


def _plan(items: list[api.InstalmentBody]) -> tuple[Instalment, ...]:
    return tuple(Instalment(i.number, i.due, i.amount) for i in items)


@handles(router, R["draft_contract"])
async def draft(body: api.DraftContract, req: Cmd, store: Store) -> Response:
    result = await c.draft_contract(
        store,
        req,
        account_id=body.account_id,
        currency=body.currency,
        lines=_lines(body.lines),
        payment_terms=body.payment_terms,
        branch=body.branch,
    )
    return accepted(result, 201)


@handles(router, R["revise_contract_draft"])
async def revise(contract_id: str, body: api.ReviseDraft, req: Cmd, store: Store) -> Response:
    return accepted(
        await c.revise_draft(
            store, req, contract_id, lines=_lines(body.lines), payment_terms=body.payment_terms
        )
    )


@handles(router, R["set_payment_plan"])
async def plan(contract_id: str, body: api.PaymentPlan, req: Cmd, store: Store) -> Response:
    return accepted(await c.set_payment_plan(store, req, contract_id, _plan(body.instalments)))


@handles(router, R["set_even_payment_plan"])
async def even(contract_id: str, body: api.EvenPlan, req: Cmd, store: Store) -> Response:
    return accepted(
        await c.set_even_payment_plan(
            store,
            req,
            contract_id,
            count=body.count,
            first_due=body.first_due,
            every_months=body.every_months,
        )
    )


@handles(router, R["submit_contract"])
async def submit(contract_id: str, req: Cmd, store: Store) -> Response:
    return accepted(await c.submit_contract(store, req, contract_id))


@handles(router, R["approve_contract"])
async def approve(contract_id: str, req: Cmd, store: Store) -> Response:
    return accepted(await c.approve_contract(store, req, contract_id))


@handles(router, R["reject_contract"])
async def reject(contract_id: str, body: api.ContractReason, req: Cmd, store: Store) -> Response:
    return accepted(await c.reject_contract(store, req, contract_id, body.reason))


@handles(router, R["sign_contract"])
async def sign(contract_id: str, req: Cmd, store: Store) -> Response:
    return accepted(await c.sign_contract(store, req, contract_id))


@handles(router, R["start_contract_execution"])
async def start(contract_id: str, req: Cmd, store: Store) -> Response:
    return accepted(await c.start_execution(store, req, contract_id))


@handles(router, R["suspend_contract"])
async def suspend(contract_id: str, body: api.ContractReason, req: Cmd, store: Store) -> Response:
    return accepted(await c.suspend_contract(store, req, contract_id, body.reason))


@handles(router, R["resume_contract"])
async def resume(contract_id: str, req: Cmd, store: Store) -> Response:
    return accepted(await c.resume_contract(store, req, contract_id))


@handles(router, R["terminate_contract"])
async def terminate(contract_id: str, body: api.ContractReason, req: Cmd, store: Store) -> Response:
    return accepted(await c.terminate_contract(store, req, contract_id, body.reason))


@handles(router, R["complete_contract"])
async def complete(contract_id: str, req: Cmd, store: Store) -> Response:
    return accepted(await c.complete_contract(store, req, contract_id))


@handles(router, R["close_contract"])
async def close(contract_id: str, req: Cmd, store: Store) -> Response:
    return accepted(await c.close_contract(store, req, contract_id))


@handles(router, R["amend_contract"])
async def amend(contract_id: str, body: api.Amend, req: Cmd, store: Store) -> Response:
    return accepted(
        await c.amend_contract(
            store,
            req,
            contract_id,
            reason=body.reason,
            lines=_lines(body.lines),
            instalments=_plan(body.instalments),
        )
    )


@handles(router, R["record_contract_payment"])
async def payment(contract_id: str, body: api.Payment, req: Cmd, store: Store) -> Response:
    return accepted(
        await c.record_payment(
            store,
            req,
            contract_id,
            instalment=body.instalment,
            amount=body.amount,
            received_at=body.received_at,
            reference=body.reference,
        )
    )


@handles(router, R["record_contract_delivery"])
async def delivery(contract_id: str, body: api.Delivery, req: Cmd, store: Store) -> Response:
    return accepted(
        await c.record_delivery(
            store, req, contract_id, line_id=body.line_id, quantity=body.quantity
        )
    )


@handles(router, R["record_contract_return"])
async def returned(contract_id: str, body: api.Return, req: Cmd, store: Store) -> Response:
    return accepted(
        await c.record_return(
            store,
            req,
            contract_id,
            line_id=body.line_id,
            quantity=body.quantity,
            reason=body.reason,
        )
    )


@handles(router, R["get_contract"])
async def get(contract_id: str, actor: CurrentActor, store: Store) -> Response:
    state, version = await get_contract(store, actor, contract_id)
    return record(plain(state) | {"id": contract_id}, version)


# --- workers ------------------------------------------------------------------------------------
async def _won(service: Service, envelope: Envelope) -> None:
    await draft_from_opportunity_won(service.store, envelope)


def overdue_check(seconds: float, clock: Clock) -> Any:
    index = overdue.Index()

    async def check(service: Service, now: datetime) -> None:
        nonlocal index
        index, _ = await overdue.check_overdue(service.store, now, index)

    return every(seconds, check, clock)


def create_app(
    settings: Settings | None = None,
    *,
    relay: bool = True,
    workers: bool = True,
    clock: Clock = utc_now,
) -> FastAPI:
    seconds = float(os.environ.get("CRM_CONTRACTS_CHECK_SECONDS", "60"))
    jobs = [reactions("opportunities", {"OpportunityWon": _won}), overdue_check(seconds, clock)]
    return service_app(
        CONTEXT, settings or Settings(), [router], relay=relay, workers=jobs if workers else []
    )
