"""One generic mount that serves a service's table of command specs (crm_platform.commands).

For each spec it adds the internal endpoint of its route (same path, method and status as the
gateway's), with the route's roles checked (the route table is the one place roles are written: the
gateway checks them first, a service never trusts a route it was not built for), the command's
envelope (actor, time, Idempotency-Key, If-Match), and the answer: a command's id, version and
consistency token, or a record with its version as ETag.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Annotated, Any

from crm_api import Route
from fastapi import APIRouter, Depends, Path
from fastapi.responses import Response

from crm_platform.auth import Actor
from crm_platform.commands import Accepted, Spec, call_for, dispatch
from crm_platform.commands import Request as CommandRequest
from crm_platform.http import Problem, internal_actor
from crm_platform.service import Service, Svc, accepted, command_request, record


def _allowed(route: Route) -> Callable[[Actor], None]:
    def check(actor: Annotated[Actor, Depends(internal_actor)]) -> None:
        if actor.role not in route.roles:
            raise Problem(403, "Not allowed", f"The role {actor.role} may not do this.")

    return check


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
        route = spec.route
        router.add_api_route(
            route.path,
            _endpoint(spec),
            methods=[route.method],
            status_code=route.status,
            name=route.name,
            summary=route.summary,
            dependencies=[Depends(_allowed(route))],
        )
    return router
