"""Routes and request models of the opportunities context."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field

from crm_api.routes import HQ_WRITERS, READERS, SALES, Body, Route, example

TAG = ("opportunities",)
WRITERS = SALES | HQ_WRITERS
Stage = Literal["prospecting", "bidding", "negotiation", "won"]
Money = Decimal


class OpenOpportunity(Body):
    model_config = example(
        account_id="acct-1042",
        name="Line 3 retrofit",
        amount=250000,
        currency="CNY",
        expected_close="2027-03-31",
    )

    account_id: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    amount: Money = Field(gt=0, max_digits=16, decimal_places=2)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    expected_close: date
    branch: str | None = Field(None, description="Required for HQ callers; defaults to yours")


class ChangeStage(Body):
    model_config = example(stage="bidding")

    stage: Stage


OPEN = Route(
    "open_opportunity",
    "POST",
    "/opportunities",
    "Open an opportunity in the first stage of the pipeline",
    WRITERS,
    body=OpenOpportunity,
    status=201,
    tags=TAG,
)
CHANGE_STAGE = Route(
    "change_opportunity_stage",
    "POST",
    "/opportunities/{opportunity_id}/stage",
    "Move an opportunity to another stage; won is final",
    WRITERS,
    body=ChangeStage,
    tags=TAG,
)
GET = Route(
    "get_opportunity",
    "GET",
    "/opportunities/{opportunity_id}",
    "The opportunity's current state, folded from its events (always up to date)",
    READERS,
    tags=TAG,
)

ROUTES = (OPEN, CHANGE_STAGE, GET)
