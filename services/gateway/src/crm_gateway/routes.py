"""Every command and record query of the shared route table (crm_api), served under /v1.

The gateway authenticates the caller, checks the route's roles (403), validates the body against the
route's model (422 naming the field, before anything reaches a service), and forwards the call with
the actor to the owning service, which checks the record's branch (404) and the business rules.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Annotated, Any
from urllib.parse import quote

import httpx
from crm_api import Route
from crm_api.answers import Record, Report
from crm_platform.auth import Actor
from crm_platform.http import ProblemDetails
from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from crm_gateway.cache import ReportCache
from crm_gateway.deps import role_in
from crm_gateway.forward import forward

IdempotencyKey = Annotated[
    str | None,
    Header(max_length=200, description="Repeating a key returns the first answer"),
]
IfMatch = Annotated[str | None, Header(description="The version you expect the record at")]
ConsistentWith = Annotated[
    str | None, Query(description="Wait (bounded) until this command's effect is visible")
]


class Accepted(BaseModel):
    """A command's answer: the record it changed and how to read your write."""

    id: str
    version: int
    position: int
    consistency_token: str = Field(description="Pass as ?consistent_with= to read your write")


def _endpoint(route: Route, context: str) -> Callable[..., Any]:
    kw = inspect.Parameter.KEYWORD_ONLY
    params = [
        inspect.Parameter("request", kw, annotation=Request),
        inspect.Parameter("actor", kw, annotation=Annotated[Actor, Depends(role_in(*route.roles))]),
    ]
    params += [
        inspect.Parameter(p, kw, annotation=Annotated[str, Path(min_length=1, max_length=100)])
        for p in route.params
    ]
    if route.body is not None:
        params.append(inspect.Parameter("body", kw, annotation=route.body))
    if route.query is not None:
        params.append(inspect.Parameter("query", kw, annotation=Annotated[route.query, Query()]))
    if not route.writes and route.query is None:  # a record is folded on every read: consistent
        params.append(
            inspect.Parameter("consistent_with", kw, annotation=ConsistentWith, default=None)
        )
    if route.writes:
        params.append(
            inspect.Parameter("idempotency_key", kw, annotation=IdempotencyKey, default=None)
        )
        params.append(inspect.Parameter("if_match", kw, annotation=IfMatch, default=None))

    cacheable = context == "projections" and not route.writes  # reports: crm_gateway.cache

    async def endpoint(**kwargs: Any) -> Response:
        request: Request = kwargs["request"]
        path = route.path.format(**{p: quote(kwargs[p], safe="") for p in route.params})
        body: BaseModel | None = kwargs.get("body")
        query: BaseModel | None = kwargs.get("query")
        client: httpx.AsyncClient = request.app.state.services[context]
        params = query.model_dump(mode="json", exclude_none=True) if query is not None else None

        async def fetch() -> Response:
            return await forward(
                client,
                request,
                kwargs["actor"],
                route.method,
                path,
                body.model_dump(mode="json") if body is not None else None,
                params=params,
            )

        if not cacheable or (params and "consistent_with" in params):
            return await fetch()
        cache: ReportCache = request.app.state.report_cache
        key = cache.key(kwargs["actor"], request.url.path, request.scope["query_string"])
        return await cache.get(key, fetch)

    endpoint.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    endpoint.__name__ = route.name
    return endpoint


def _answer(route: Route, context: str) -> type[BaseModel]:
    if route.answer is not None:
        return route.answer
    if route.writes:
        return Accepted
    return Report if context == "projections" else Record


PROBLEMS = {
    401: "No valid bearer token",
    403: "The caller's role may not do this",
    404: "The record or branch does not exist or is outside the caller's reach",
    409: "Refused by a business rule, or the record has moved past If-Match",
    422: "The request is not valid: `errors` names the fields",
    503: "A service is not available; retry with the same Idempotency-Key",
}


def _problems(route: Route) -> dict[int | str, dict[str, Any]]:
    """Every error status the route can answer, each an RFC 9457 problem."""
    statuses = [401, 403, 422, 503]
    if route.params or route.query is not None or route.body is not None:
        statuses.append(404)
    if route.writes:
        statuses.append(409)
    return {s: {"model": ProblemDetails, "description": PROBLEMS[s]} for s in sorted(statuses)}


def router(routes: Mapping[str, tuple[Route, ...]]) -> APIRouter:
    r = APIRouter(prefix="/v1")
    for context, table in routes.items():
        for route in table:
            r.add_api_route(
                route.path,
                _endpoint(route, context),
                methods=[route.method],
                status_code=route.status,
                name=route.name,
                summary=route.summary,
                description=route.description or None,
                tags=list(route.tags) or [context],
                response_model=_answer(route, context),
                responses=_problems(route),
                operation_id=route.name,
            )
    return r
