"""The projections service: one Kafka consumer group per read model, plus /health and /metrics.

At start-up each read model first catches up from the event stores (the source of truth), then
follows the context topics (crm_projections.consumer): each batch is applied in one transaction
before its offsets are committed, so a failed batch is delivered again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator

from crm_platform.auth import internal_verifier
from crm_platform.guard import TextGuard
from crm_platform.http import (
    install_correlation,
    install_metrics,
    install_problem_handlers,
    json_response,
)
from crm_platform.kafka import reachable
from crm_platform.settings import Settings
from fastapi import FastAPI
from fastapi.responses import Response

from crm_projections.connections import engine_for, open_stores
from crm_projections.consumer import follow
from crm_projections.projector import Projector
from crm_projections.read_models.customer_value.run import analyse_every
from crm_projections.rebuild import ensure_current
from crm_projections.registry import READ_MODELS, ROUTERS
from crm_projections.tables import create_all, create_views

log = logging.getLogger("crm.projections")

# READ_MODELS, engine_for and open_stores are also read from here by the tools of the repository
__all__ = ["READ_MODELS", "create_app", "engine_for", "open_stores"]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = settings.require_database()
        engine = engine_for(url)
        app.state.engine = engine
        await create_all(engine)
        stores = await open_stores(url, READ_MODELS)
        projectors = [Projector(engine, stores, m) for m in READ_MODELS]
        for p in projectors:
            if await ensure_current(engine, stores, p.model):
                log.info("read model %s was rebuilt: its shape changed", p.model.name)
        async with engine.begin() as conn:  # every view, now that every table is current
            await create_views(conn)
        for p in projectors:
            caught = await p.catch_up()
            log.info("read model %s caught up from the stores: %d events", p.model.name, caught)
        stop = asyncio.Event()
        joined = [asyncio.Event() for _ in projectors]
        tasks = [
            asyncio.create_task(follow(p, settings, stop, j))
            for p, j in zip(projectors, joined, strict=True)
        ]
        with contextlib.suppress(TimeoutError):  # ready when every consumer has its partitions
            await asyncio.wait_for(asyncio.gather(*(j.wait() for j in joined)), 60)
        app.state.ready = True
        if (seconds := float(os.environ.get("CRM_ANALYSIS_SECONDS", "3600"))) > 0:
            tasks.append(asyncio.create_task(analyse_every(app.state, seconds, stop)))
        try:
            yield
        finally:
            stop.set()
            for task in tasks:
                await task
            for store in stores.values():
                await store.close()
            await engine.dispose()

    app = FastAPI(title="CRM projections service (internal)", lifespan=lifespan)
    app.state.ready = False
    app.state.settings = settings
    app.state.internal_verifier = internal_verifier(settings.internal_key)
    app.state.followers = {
        context: [m.name for m in READ_MODELS if context in m.contexts]
        for context in {c for m in READ_MODELS for c in m.contexts}
    }
    install_problem_handlers(app)
    install_correlation(app)
    install_metrics(app)
    app.add_middleware(TextGuard)
    for router in ROUTERS:
        app.include_router(router)

    @app.get("/health")
    async def health() -> Response:
        """200 while the broker answers; 503 naming it when it does not (read models freeze)."""
        if await reachable(settings.require_kafka()):
            return json_response({"status": "ok"})
        return json_response({"status": "down", "checks": {"broker": "down: no connection"}}, 503)

    return app
