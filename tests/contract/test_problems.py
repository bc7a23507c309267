"""The problem+json the services really send is the ProblemDetails the OpenAPI document publishes:
every error path of crm_platform.http answers a body that the model reads without a field left
over."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from crm_platform.auth import InvalidToken
from crm_platform.domain import DomainError, NotFound
from crm_platform.eventstore import ConcurrencyError
from crm_platform.http import PROBLEM, Problem, ProblemDetails, install_problem_handlers
from fastapi import FastAPI
from pydantic import BaseModel


class Order(BaseModel):
    quantity: int


def app() -> FastAPI:
    errors: dict[str, Exception] = {
        "problem": Problem(403, "Not allowed", "The role auditor may not do this."),
        "field": Problem(422, "The request is not valid", "Must be CNY", field="currency"),
        "refused": DomainError("The opportunity is already won"),
        "refused-field": DomainError("Too deep a discount", field="lines.0.discount_percent"),
        "missing": NotFound("There is no such opportunity."),
        "conflict": ConcurrencyError("opportunity-1", 1, 2),
        "token": InvalidToken("a bearer token is required"),
        "crash": RuntimeError("a bug"),
    }
    a = FastAPI()
    install_problem_handlers(a)

    @a.get("/fail/{kind}")
    async def fail(kind: str) -> None:
        raise errors[kind]

    @a.post("/orders")
    async def order(body: Order) -> None:
        return None

    return a


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/fail/problem", None, 403),
        ("GET", "/fail/field", None, 422),
        ("GET", "/fail/refused", None, 409),
        ("GET", "/fail/refused-field", None, 422),
        ("GET", "/fail/missing", None, 404),
        ("GET", "/fail/conflict", None, 409),
        ("GET", "/fail/token", None, 401),
        ("GET", "/fail/crash", None, 503),
        ("POST", "/orders", {"quantity": "many"}, 422),
        ("GET", "/nowhere", None, 404),
    ],
)
async def test_every_error_is_a_published_problem(
    method: str, path: str, body: Any, status: int
) -> None:
    transport = httpx.ASGITransport(app=app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://crm") as client:
        answer = await client.request(method, path, json=body)
    assert answer.status_code == status
    assert answer.headers["content-type"] == PROBLEM
    problem = ProblemDetails.model_validate(answer.json())
    assert problem.status == status and problem.model_extra == {}
    if status == 422:
        assert problem.errors and all(e.field and e.message for e in problem.errors)
