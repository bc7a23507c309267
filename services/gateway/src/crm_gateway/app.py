"""The gateway: the only public door. JWT auth, role and branch scoping, commands and queries."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator

import httpx
from crm_api import ROUTES
from crm_platform.auth import TokenVerifier
from crm_platform.guard import TextGuard
from crm_platform.http import (
    install_correlation,
    install_metrics,
    install_problem_handlers,
    json_response,
)
from crm_platform.settings import Settings
from fastapi import FastAPI
from fastapi.responses import Response

from crm_gateway import routes
from crm_gateway.cache import CachedReports, ReportCache
from crm_gateway.openapi import LICENSE, SERVERS, Health, install_openapi

# the contexts with routes, each answered by its own service
SERVED = {context: table for context, table in ROUTES.items() if table}

DESCRIPTION = """The CRM's public API. Every call carries `Authorization: Bearer <JWT>` with the
claims `sub` (user id), `role` and `branch`. Branch roles see their own branch only; HQ roles see all;
a record outside your reach is answered 404. Errors are RFC 9457 `application/problem+json`.
Commands answer a `consistency_token`; pass it to a query as `consistent_with` to read your write."""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = {
            context: httpx.AsyncClient(
                base_url=settings.url_of(context), timeout=httpx.Timeout(10.0, connect=2.0)
            )
            for context in SERVED
        }
        app.state.probe = httpx.AsyncClient(timeout=2.0)
        try:
            yield
        finally:
            for client in app.state.services.values():
                await client.aclose()
            await app.state.probe.aclose()

    app = FastAPI(
        title="CRM gateway",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        servers=SERVERS,
        license_info=LICENSE,
    )
    install_openapi(app)
    app.state.settings = settings
    app.state.report_cache = ReportCache(float(os.environ.get("CRM_REPORT_CACHE_SECONDS", "1")))
    app.state.verifier = TokenVerifier(
        secret=settings.jwt_secret,
        jwks_url=settings.jwks_url,
        audience=settings.jwt_audience,
        issuer=settings.jwt_issuer,
    )
    install_problem_handlers(app)
    install_correlation(app)
    install_metrics(app)
    app.include_router(routes.router(SERVED))
    reports = {"/v1" + r.path: r.roles for r in SERVED["projections"] if not r.writes}
    app.add_middleware(
        CachedReports,
        cache=app.state.report_cache,
        verifier=app.state.verifier,
        roles=reports,
    )
    app.add_middleware(TextGuard)  # outermost: before the cached answers too

    @app.get(
        "/health",
        tags=["operations"],
        operation_id="health",
        response_model=Health,
        responses={503: {"model": Health, "description": "Some service is not ready yet"}},
        openapi_extra={"security": []},  # no token: probes call it
    )
    async def health() -> Response:
        """200 once every service behind the gateway answers (the projections once caught up);
        503 naming each service that does not, and what it depends on that is down."""
        checks: dict[str, str] = {}
        for name in SERVED:
            try:
                answer = await app.state.probe.get(f"{settings.url_of(name)}/health")
                checks[name] = "ok" if answer.status_code == 200 else _why(answer)
            except httpx.HTTPError as exc:
                checks[name] = f"down: {type(exc).__name__}"
        ok = all(v == "ok" for v in checks.values())
        return json_response(
            {"status": "ok" if ok else "down", "checks": checks}, 200 if ok else 503
        )

    return app


def _why(answer: httpx.Response) -> str:
    """`down: broker` from a service's own 503 with its checks, else `down: <status>`."""
    try:
        checks = answer.json().get("checks", {})
        failing = [k for k, v in checks.items() if v != "ok"] if isinstance(checks, dict) else []
    except ValueError:
        failing = []
    return f"down: {', '.join(failing) or answer.status_code}"
