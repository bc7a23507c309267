"""Calls from the gateway to the internal services, carrying the actor and the request's ids."""

from __future__ import annotations

from typing import Any

import httpx
from crm_platform.auth import Actor, internal_headers
from crm_platform.http import Problem
from fastapi import Request
from fastapi.responses import Response

_PASSED_HEADERS = ("idempotency-key", "if-match")
_RETURNED_HEADERS = ("etag", "content-type", "x-crm-stale")


async def forward(
    client: httpx.AsyncClient,
    request: Request,
    actor: Actor,
    method: str,
    url: str,
    json: Any = None,
    params: dict[str, Any] | None = None,
) -> Response:
    headers = {
        **internal_headers(request.app.state.settings.internal_key, actor),
        "X-Correlation-ID": request.state.correlation_id,
    }
    headers.update({h: v for h in _PASSED_HEADERS if (v := request.headers.get(h)) is not None})
    try:
        answer = await client.request(method, url, json=json, params=params, headers=headers)
    except httpx.HTTPError as exc:
        raise Problem(
            503,
            "A service is not available",
            "Retry with the same Idempotency-Key to be sure nothing is done twice.",
        ) from exc
    if answer.status_code >= 500:
        raise Problem(
            503,
            "A service could not complete the request",
            "Retry with the same Idempotency-Key to be sure nothing is done twice.",
        )
    kept = {h: v for h in _RETURNED_HEADERS if (v := answer.headers.get(h)) is not None}
    return Response(answer.content, answer.status_code, headers=kept)
