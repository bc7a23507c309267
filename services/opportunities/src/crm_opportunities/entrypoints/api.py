"""The internal HTTP API of the opportunities service (called by the gateway only).

Routes translate HTTP into a command and back, nothing more.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from crm_events.opportunities import CONTEXT
from crm_platform.auth import Actor
from crm_platform.http import (
    Problem,
    install_correlation,
    install_metrics,
    install_problem_handlers,
    internal_actor,
    json_response,
    parse_if_match,
)
from crm_platform.relay import Relay
from crm_platform.settings import Settings
from fastapi import Depends, FastAPI, Header, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from crm_opportunities.application import commands
from crm_opportunities.bootstrap import Service, bootstrap


class OpenBody(BaseModel):
    account_id: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    amount: Decimal = Field(gt=0, max_digits=16, decimal_places=2)
    currency: str
    expected_close: date
    branch: str | None = None


class StageBody(BaseModel):
    stage: str


def service(request: Request) -> Service:
    svc: Service = request.app.state.service
    return svc


def command_request(
    request: Request,
    actor: Annotated[Actor, Depends(internal_actor)],
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    if_match: Annotated[str | None, Header()] = None,
) -> commands.Request:
    return commands.Request(
        actor=actor,
        correlation_id=request.state.correlation_id,
        at=datetime.now(UTC),
        idempotency_key=idempotency_key,
        expected_version=parse_if_match(if_match),
    )


Svc = Annotated[Service, Depends(service)]
Cmd = Annotated[commands.Request, Depends(command_request)]


def create_app(settings: Settings | None = None, *, relay: bool = True) -> FastAPI:
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = await bootstrap(settings)
        app.state.service = service
        stop = asyncio.Event()
        task = None
        if relay:
            task = asyncio.create_task(
                Relay(
                    service.store,
                    CONTEXT,
                    settings.require_kafka(),
                    partitions=settings.kafka_partitions,
                    replication=settings.kafka_replication,
                ).run(stop)
            )
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                await task
            await service.store.close()

    app = FastAPI(title="CRM opportunities service (internal)", lifespan=lifespan)
    install_problem_handlers(app)
    install_correlation(app)
    install_metrics(app)

    def accepted(a: commands.Accepted, status: int) -> Response:
        return json_response(
            {
                "id": a.id,
                "version": a.version,
                "position": a.position,
                "consistency_token": a.consistency_token,
            },
            status,
            headers={"ETag": f'"{a.version}"'},
        )

    @app.get("/health")
    async def health(svc: Svc) -> dict[str, str]:
        async with svc.store.pool.connection() as conn:
            await conn.execute("select 1")
        return {"status": "ok"}

    @app.post("/opportunities", status_code=201)
    async def open_opportunity(body: OpenBody, req: Cmd, svc: Svc) -> Response:
        if body.currency != settings.currency:
            raise Problem(
                422,
                "The request is not valid",
                f"Amounts are kept in {settings.currency}.",
                field="currency",
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

    @app.post("/opportunities/{opportunity_id}/stage")
    async def change_stage(opportunity_id: str, body: StageBody, req: Cmd, svc: Svc) -> Response:
        return accepted(
            await commands.change_stage(svc.store, req, opportunity_id, body.stage), 200
        )

    @app.get("/opportunities/{opportunity_id}")
    async def get_opportunity(
        opportunity_id: str, actor: Annotated[Actor, Depends(internal_actor)], svc: Svc
    ) -> Response:
        state, version = await commands.get_opportunity(svc.store, actor, opportunity_id)
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
            "version": version,
            "stage_history": [
                {"stage": v.stage, "entered_at": v.entered_at.isoformat()} for v in state.history
            ],
        }
        return json_response(body, headers={"ETag": f'"{version}"'})

    return app
