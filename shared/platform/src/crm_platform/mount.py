"""One generic mount that serves a service's table of command specs (crm_platform.commands).

For each spec it adds the internal endpoint of its route (same path, method and status as the
gateway's), with the route's roles checked (the route table is the one place roles are written: the
gateway checks them first, a service never trusts a route it was not built for), the command's
envelope (actor, time, Idempotency-Key, If-Match), and the answer: a command's id, version and
consistency token, or a record with its version as ETag. `command_app` builds a command service's
`create_app` around its table, its reactions and its scheduled checks.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Depends, FastAPI, Path
from fastapi.responses import Response

from crm_platform.commands import Accepted, Spec, call_for, dispatch
from crm_platform.commands import Request as CommandRequest
from crm_platform.http import internal_actor
from crm_platform.service import (
    Service,
    Svc,
    Worker,
    accepted,
    command_request,
    handles,
    record,
    service_app,
)
from crm_platform.settings import Settings
from crm_platform.workers import Check, Clock, every_configured, utc_now


def _endpoint(spec: Spec) -> Callable[..., Any]:
    route = spec.route
    kw = inspect.Parameter.KEYWORD_ONLY
    # a keyed command binds its key when the endpoint returns, before the answer goes out, so a
    # repeat that follows the answer always finds it bound
    envelope = (
        Depends(command_request, scope="function") if route.writes else Depends(internal_actor)
    )
    params = [
        inspect.Parameter("svc", kw, annotation=Svc),
        inspect.Parameter("envelope", kw, annotation=Annotated[Any, envelope]),
    ]
    params += [
        inspect.Parameter(p, kw, annotation=Annotated[str, Path(min_length=1, max_length=100)])
        for p in route.params
    ]
    if route.body is not None:
        params.append(inspect.Parameter("body", kw, annotation=route.body))

    async def endpoint(**kwargs: Any) -> Response:
        svc: Service = kwargs["svc"]
        envelope = kwargs["envelope"]
        req = (
            envelope
            if isinstance(envelope, CommandRequest)
            else CommandRequest(actor=envelope, correlation_id="", at=datetime.now(UTC))
        )
        path = {p: kwargs[p] for p in route.params}
        call = call_for(spec, svc.context, req, svc.store, svc.settings, path, kwargs.get("body"))
        answer = await dispatch(spec, call)
        if isinstance(answer, Accepted):
            return accepted(answer, route.status)
        body, version = answer
        return record(body, version)

    endpoint.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    endpoint.__name__ = route.name
    return endpoint


def mount(specs: Iterable[Spec]) -> APIRouter:
    """The internal endpoints of a service's command table."""
    router = APIRouter()
    for spec in specs:
        handles(router, spec.route)(_endpoint(spec))
    return router


class CreateApp(Protocol):
    """A command service's composition root, used by production and tests alike."""

    def __call__(
        self,
        settings: Settings | None = None,
        *,
        relay: bool = True,
        workers: bool = True,
        clock: Clock = utc_now,
    ) -> FastAPI: ...


def command_app(
    context: str,
    commands: Iterable[Spec],
    *,
    routers: Sequence[APIRouter] = (),
    reactions: Sequence[Worker] = (),
    checks: Mapping[str, Check] | None = None,
) -> CreateApp:
    """The `create_app` of a command service (`service_app`): its command table mounted as its
    internal API beside any other `routers`, its `reactions`, and each of its `checks` run every
    so many seconds as the environment variable naming it says (60 by default) on `clock`.
    Without `workers` no reaction or check runs; the settings come from the environment unless
    given."""

    def create_app(
        settings: Settings | None = None,
        *,
        relay: bool = True,
        workers: bool = True,
        clock: Clock = utc_now,
    ) -> FastAPI:
        scheduled = [every_configured(var, check, clock) for var, check in (checks or {}).items()]
        return service_app(
            context,
            settings or Settings(),
            [mount(commands), *routers],
            relay=relay,
            workers=[*reactions, *scheduled] if workers else [],
        )

    return create_app
