"""The internal HTTP API of the opportunities service (called by the gateway only).

Routes translate HTTP into a command and back, nothing more; paths, request models and roles come
from the shared route table (crm_api.opportunities).
"""

from __future__ import annotations

from typing import Any

from crm_api import opportunities as api
from crm_events.opportunities import CONTEXT
from crm_platform.http import Problem
from crm_platform.service import (
    Cmd,
    CurrentActor,
    Store,
    Svc,
    accepted,
    handles,
    record,
    service_app,
)
from crm_platform.settings import Settings
from fastapi import APIRouter, FastAPI
from fastapi.responses import Response

from crm_opportunities.application import commands

router = APIRouter()


@handles(router, api.OPEN)
async def open_opportunity(body: api.OpenOpportunity, req: Cmd, svc: Svc) -> Response:
    currency = svc.settings.currency
    if body.currency != currency:
        raise Problem(
            422, "The request is not valid", f"Amounts are kept in {currency}.", field="currency"
        )
    result = await commands.open_opportunity(
        svc.store,
        req,
        account_id=body.account_id,
        name=body.name,
        amount=body.amount,
        currency=body.currency,
        expected_close=body.expected_close,
        branch=body.branch,
    )
    return accepted(result, 201)


@handles(router, api.CHANGE_STAGE)
async def change_stage(
    opportunity_id: str, body: api.ChangeStage, req: Cmd, store: Store
) -> Response:
    return accepted(await commands.change_stage(store, req, opportunity_id, body.stage))


@handles(router, api.GET)
async def get_opportunity(opportunity_id: str, actor: CurrentActor, store: Store) -> Response:
    state, version = await commands.get_opportunity(store, actor, opportunity_id)
    body: dict[str, Any] = {
        "id": state.opportunity_id,
        "account_id": state.account_id,
        "name": state.name,
        "amount": float(state.amount),
        "currency": state.currency,
        "expected_close": state.expected_close.isoformat(),
        "branch": state.branch,
        "owner_id": state.owner_id,
        "stage": state.stage,
        "opened_at": state.opened_at.isoformat(),
        "stage_history": [
            {"stage": v.stage, "entered_at": v.entered_at.isoformat()} for v in state.history
        ],
    }
    return record(body, version)


def create_app(settings: Settings | None = None, *, relay: bool = True) -> FastAPI:
    return service_app(CONTEXT, settings or Settings(), [router], relay=relay)
