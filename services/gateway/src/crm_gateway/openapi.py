"""The gateway's OpenAPI document as integrators' tools read it (validators, client generators).

FastAPI writes every documented answer as `application/json`; errors are answered as
`application/problem+json` (crm_platform.http), so the document says so. The contract tests
validate the document and generate a client from it (tests/contract, tests/e2e).
"""

from __future__ import annotations

from typing import Any

from crm_platform.http import PROBLEM
from fastapi import FastAPI
from pydantic import BaseModel, Field

SERVERS = [{"url": "/", "description": "The gateway serving this document"}]
LICENSE = {"name": "Proprietary: all rights reserved", "identifier": "LicenseRef-Proprietary"}
_PROBLEM_REF = "#/components/schemas/ProblemDetails"


class Health(BaseModel):
    status: str = Field(description="ok, or down while a service behind the gateway is")
    checks: dict[str, str] = Field(description="Per service: ok, or down: what is down")


def _as_problems(document: dict[str, Any]) -> dict[str, Any]:
    for path in document["paths"].values():
        for operation in path.values():
            for answer in operation.get("responses", {}).values():
                content = answer.get("content", {})
                schema = content.get("application/json", {}).get("schema", {})
                if schema.get("$ref") == _PROBLEM_REF:
                    answer["content"] = {PROBLEM: content["application/json"]}
    return document


def install_openapi(app: FastAPI) -> None:
    """Serve the document with errors as problem+json (built once, on the first request)."""
    build = app.openapi

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _as_problems(build())
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]
