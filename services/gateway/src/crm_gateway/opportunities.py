"""Public routes of the opportunities context."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from crm_platform.auth import Actor
from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from crm_gateway.deps import CurrentActor, Services, role_in
from crm_gateway.forward import forward

router = APIRouter(prefix="/v1/opportunities", tags=["opportunities"])

# Who may write opportunities: the branch's sales staff, and HQ staff acting for a branch.
# Auditors, marketing and service agents read only (DOMAIN.md §0; docs/security.md).
Writer = Annotated[Actor, Depends(role_in("sales_rep", "branch_manager", "hq_analyst", "admin"))]
Stage = Literal["prospecting", "bidding", "negotiation", "won"]


class OpenOpportunity(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "account_id": "acct-1042",
                    "name": "Line 3 retrofit",
                    "amount": 250000,
                    "currency": "CNY",
                    "expected_close": "2027-03-31",
                }
            ]
        },
    )

    account_id: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    amount: Decimal = Field(gt=0, max_digits=16, decimal_places=2)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    expected_close: date
    branch: str | None = Field(None, description="Required for HQ callers; defaults to yours")


class ChangeStage(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"stage": "bidding"}]}
    )

    stage: Stage


class Accepted(BaseModel):
    id: str
    version: int
    position: int
    consistency_token: str = Field(description="Pass as ?consistent_with= to read your write")


IdempotencyKey = Annotated[
    str | None, Header(max_length=200, description="Repeating a key returns the first answer")
]
IfMatch = Annotated[str | None, Header(description="The version you expect the record at")]


@router.post("", status_code=201, response_model=Accepted)
async def open_opportunity(
    body: OpenOpportunity,
    actor: Writer,
    services: Services,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Open an opportunity in the first stage of the pipeline."""
    return await forward(
        services, request, actor, "POST", "/opportunities", body.model_dump(mode="json")
    )


@router.post("/{opportunity_id}/stage", response_model=Accepted)
async def change_stage(
    opportunity_id: str,
    body: ChangeStage,
    actor: Writer,
    services: Services,
    request: Request,
    idempotency_key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response:
    """Move an opportunity to another stage; `won` is final."""
    return await forward(
        services,
        request,
        actor,
        "POST",
        f"/opportunities/{opportunity_id}/stage",
        body.model_dump(mode="json"),
    )


@router.get("/{opportunity_id}")
async def get_opportunity(
    opportunity_id: str,
    actor: CurrentActor,
    services: Services,
    request: Request,
    consistent_with: str | None = None,
) -> Response:
    """The opportunity's current state, folded from its events (always up to date)."""
    return await forward(services, request, actor, "GET", f"/opportunities/{opportunity_id}")
