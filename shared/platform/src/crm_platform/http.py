"""HTTP plumbing shared by every FastAPI app: RFC 9457 problem+json, correlation ids, health, metrics.

Internal services take the actor from the token the gateway signs for each call (`X-CRM-Actor`,
crm_platform.auth), and are never exposed publicly (deploy/k8s keeps them cluster-internal).
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

import orjson
from fastapi import FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crm_platform.auth import Actor, InvalidToken, TokenVerifier
from crm_platform.domain import DomainError, NotFound
from crm_platform.eventstore import ConcurrencyError

log = logging.getLogger("crm.http")
PROBLEM = "application/problem+json"


class FieldError(BaseModel):
    field: str = Field(description="The offending field, dotted (lines.0.quantity), or body")
    message: str


class ProblemDetails(BaseModel):
    """An RFC 9457 problem, as every error is answered (`application/problem+json`)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field("about:blank", description="Always about:blank: the status says it all")
    title: str = Field(description="What went wrong, in a few words")
    status: int = Field(description="The HTTP status, repeated")
    detail: str | None = Field(None, description="What went wrong with this request")
    errors: list[FieldError] | None = Field(
        None, description="The fields at fault, when the input is"
    )
    current_version: int | None = Field(
        None, description="409 on If-Match: the version the record is at now"
    )


class Problem(Exception):
    """Raise anywhere in a route to answer with problem+json."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str = "",
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or title)
        self.status, self.title, self.detail = status, title, detail
        self.field, self.headers, self.extra = field, headers, extra


def problem_response(
    status: int,
    title: str,
    detail: str = "",
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body.update(extra)
    return Response(orjson.dumps(body), status, headers=headers, media_type=PROBLEM)


def _field_of(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def _field_of_error(error: Any) -> str:
    # malformed JSON: FastAPI's loc is ("body", <character offset>), the field at fault is the body
    if error.get("type") == "json_invalid":
        return "body"
    return _field_of(tuple(error.get("loc", ())))


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"field": _field_of_error(e), "message": e.get("msg", "invalid")} for e in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem_response(422, "The request is not valid", detail, errors=errors)

    @app.exception_handler(Problem)
    async def problem(_: Request, exc: Problem) -> Response:
        errors = [{"field": exc.field, "message": exc.detail}] if exc.field else None
        return problem_response(
            exc.status, exc.title, exc.detail, errors=errors, headers=exc.headers, **exc.extra
        )

    @app.exception_handler(NotFound)
    async def not_found(_: Request, exc: NotFound) -> Response:
        return problem_response(404, "Not found", exc.message)

    @app.exception_handler(DomainError)
    async def refused(_: Request, exc: DomainError) -> Response:
        status = 422 if exc.field else 409
        errors = [{"field": exc.field, "message": exc.message}] if exc.field else None
        return problem_response(status, "The command was refused", exc.message, errors=errors)

    @app.exception_handler(ConcurrencyError)
    async def conflict(_: Request, exc: ConcurrencyError) -> Response:
        return problem_response(
            409,
            "The record has changed",
            f"The record is at version {exc.actual}, not {exc.expected}; reload and try again.",
            current_version=exc.actual,
            headers={"ETag": f'"{exc.actual}"'},
        )

    @app.exception_handler(InvalidToken)
    async def unauthenticated(_: Request, exc: InvalidToken) -> Response:
        return problem_response(
            401, "Not authenticated", str(exc), headers={"WWW-Authenticate": "Bearer"}
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400:
            # FastAPI's own 400 for a body it cannot read at all (bytes that are not UTF-8): bad
            # input like any other, so the documented 422 naming the body (found by schemathesis)
            message = "the body is not valid JSON text (UTF-8)"
            return problem_response(
                422,
                "The request is not valid",
                f"body: {message}",
                errors=[{"field": "body", "message": message}],
            )
        return problem_response(exc.status_code, str(exc.detail), headers=dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            503,
            "The service could not complete the request",
            "Nothing was changed by this request; try again.",
        )


def install_correlation(app: FastAPI) -> None:
    """Every request has a correlation id (the caller's X-Correlation-ID, or a new one), in
    `request.state.correlation_id` and in the answer's header. A plain ASGI middleware: Starlette's
    `@app.middleware("http")` costs a task and a stream per request."""
    app.add_middleware(_Correlation)


class _Correlation:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope["headers"] if k == b"x-correlation-id"), b"")
        cid = given.decode("latin-1")[:200] or str(uuid.uuid4())
        scope.setdefault("state", {})["correlation_id"] = cid
        header = (b"x-correlation-id", cid.encode("latin-1"))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        await self.app(scope, receive, send_with_id)


def install_metrics(app: FastAPI) -> None:
    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def internal_actor(request: Request, x_crm_actor: Annotated[str | None, Header()] = None) -> Actor:
    """The actor of an internal call, from the token the gateway signed (crm_platform.auth)."""
    verifier: TokenVerifier | None = getattr(request.app.state, "internal_verifier", None)
    if verifier is None:
        raise InvalidToken(
            "this service takes calls signed with CRM_INTERNAL_KEY, which is not set"
        )
    if not x_crm_actor:
        raise InvalidToken("an internal call carries X-CRM-Actor, signed by the gateway")
    return verifier.verify(x_crm_actor)


def parse_if_match(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        version = int(value.strip().removeprefix("W/").strip('"'))
    except ValueError:
        raise Problem(
            422, "The request is not valid", "If-Match must be a version number", field="If-Match"
        ) from None
    if version < 0:
        raise Problem(
            422, "The request is not valid", "If-Match must not be negative", field="If-Match"
        )
    return version


def plain(value: Any) -> Any:
    """A record's state as JSON values: decimals as numbers, dates as ISO strings, dataclasses
    and dicts as objects, tuples as arrays, sets as sorted arrays (so answers are stable)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted((plain(v) for v in value), key=str)
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    return value


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status, headers=headers, media_type="application/json")


__all__ = ["FieldError", "JSONResponse", "Problem", "ProblemDetails"]
