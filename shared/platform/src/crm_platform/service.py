"""What every command service is made of, so each one only writes its routes and reactions.

`service_app` is the composition root shared by production and tests: it opens the context's event
store (the configured backend, `crm_platform.eventstore.open_store`) and the service's own
PostgreSQL database (its bookkeeping: idempotent requests, reaction progress, the relay's
checkpoint), starts the relay to Kafka and the service's background workers (reactions to other
contexts' events, scheduled checks), and installs problem+json, correlation ids, health and
metrics.
Routes are mounted from the shared route table (crm_api) with `handles`, which also re-checks the
route's roles (the gateway checks them first; a service never trusts a route it was not built for).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from crm_api import Route
from fastapi import APIRouter, Depends, FastAPI, Header, Request
from fastapi.responses import Response
from psycopg_pool import AsyncConnectionPool

from crm_platform.auth import Actor, internal_verifier
from crm_platform.commands import Accepted
from crm_platform.commands import Request as CommandRequest
from crm_platform.eventstore import EventStore, open_store
from crm_platform.eventstore.postgres import open_pool
from crm_platform.guard import TextGuard
from crm_platform.http import (
    Problem,
    install_correlation,
    install_metrics,
    install_problem_handlers,
    internal_actor,
    json_response,
    parse_if_match,
)
from crm_platform.idempotency import Requests, fingerprint
from crm_platform.kafka import reachable
from crm_platform.relay import Relay
from crm_platform.settings import Settings

log = logging.getLogger("crm.service")
F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Service:
    context: str
    settings: Settings
    store: EventStore
    db: AsyncConnectionPool  # the service's own tables, never events
    requests: Requests


Worker = Callable[[Service, asyncio.Event], Coroutine[Any, Any, None]]


def _service(request: Request) -> Service:
    svc: Service = request.app.state.service
    return svc


def _store(request: Request) -> EventStore:
    return _service(request).store


async def command_request(
    request: Request,
    actor: Annotated[Actor, Depends(internal_actor)],
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    if_match: Annotated[str | None, Header()] = None,
) -> AsyncIterator[CommandRequest]:
    """The command's envelope. A keyed request is checked against what its key was accepted for,
    and binds the key once the route has answered without an error (crm_platform.idempotency)."""
    command = CommandRequest(
        actor=actor,
        correlation_id=request.state.correlation_id,
        at=datetime.now(UTC),
        idempotency_key=idempotency_key,
        expected_version=parse_if_match(if_match),
    )
    if idempotency_key is None:
        yield command
        return
    requests = _service(request).requests
    key = f"{actor.user_id}|{idempotency_key}"
    print_ = fingerprint(request.method, request.url.path, await request.body())
    await requests.check(key, print_)
    yield command  # a refusal raises here, and the key stays free for a corrected request
    await requests.bind(key, print_)


Svc = Annotated[Service, Depends(_service)]
Store = Annotated[EventStore, Depends(_store)]
Cmd = Annotated[CommandRequest, Depends(command_request)]
CurrentActor = Annotated[Actor, Depends(internal_actor)]


def _allowed(route: Route) -> Callable[[Actor], None]:
    def check(actor: Annotated[Actor, Depends(internal_actor)]) -> None:
        if actor.role not in route.roles:
            raise Problem(403, "Not allowed", f"The role {actor.role} may not do this.")

    return check


def handles(router: APIRouter, route: Route) -> Callable[[F], F]:
    """Mount a function as the internal endpoint of `route` (same path, method and status)."""

    def mount(fn: F) -> F:
        router.add_api_route(
            route.path,
            fn,
            methods=[route.method],
            status_code=route.status,
            name=route.name,
            summary=route.summary,
            dependencies=[Depends(_allowed(route))],
        )
        return fn

    return mount


def accepted(a: Accepted, status: int = 200) -> Response:
    """The answer to every command: the record's id, version and read-your-writes token."""
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


def record(body: dict[str, Any], version: int) -> Response:
    """The answer to every record query: its state with its version (also as ETag for If-Match)."""
    return json_response({**body, "version": version}, headers={"ETag": f'"{version}"'})


def service_app(
    context: str,
    settings: Settings,
    routers: Sequence[APIRouter],
    *,
    relay: bool = True,
    workers: Sequence[Worker] = (),
) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = await open_store(settings, context)
        db = open_pool(settings.require_database(), max_size=5, name=f"{context}-own")
        await db.open()
        requests = Requests(db, context)
        await requests.ensure_schema()
        service = Service(context, settings, store, db, requests)
        app.state.service = service
        stop = asyncio.Event()
        tasks: list[asyncio.Task[None]] = [
            asyncio.create_task(w(service, stop), name=w.__name__) for w in workers
        ]
        if relay:
            tasks.append(
                asyncio.create_task(
                    Relay(
                        service.store,
                        context,
                        settings.require_kafka(),
                        db=service.db,
                        partitions=settings.kafka_partitions,
                        replication=settings.kafka_replication,
                    ).run(stop),
                    name="relay",
                )
            )
        try:
            yield
        finally:
            stop.set()
            for task in tasks:
                try:
                    await asyncio.wait_for(task, 10)
                except (Exception, asyncio.CancelledError):
                    log.exception("background task %s did not stop cleanly", task.get_name())
            await service.store.close()
            await service.db.close()

    app = FastAPI(title=f"CRM {context} service (internal)", lifespan=lifespan)
    app.state.internal_verifier = internal_verifier(settings.internal_key)
    install_problem_handlers(app)
    install_correlation(app)
    install_metrics(app)
    app.add_middleware(TextGuard)

    @app.get("/health")
    async def health(svc: Svc) -> Response:
        """200 while the event store, the database and the broker answer; 503 naming the one
        that does not."""
        checks = {"event_store": "ok", "database": "ok", "broker": "ok"}
        try:
            await svc.store.ping()
        except Exception as exc:
            checks["event_store"] = f"down: {type(exc).__name__}"
        try:
            async with svc.db.connection(timeout=2) as conn:
                await conn.execute("select 1")
        except Exception as exc:
            checks["database"] = f"down: {type(exc).__name__}"
        if not await reachable(svc.settings.require_kafka()):
            checks["broker"] = "down: no connection"
        ok = all(v == "ok" for v in checks.values())
        return json_response(
            {"status": "ok" if ok else "down", "checks": checks}, 200 if ok else 503
        )

    for router in routers:
        app.include_router(router)
    return app
