"""Routes and request models of the opportunities context (DOMAIN.md §2).

Decisions: the branch's sales staff (reps and the branch manager) work its opportunities, and HQ
roles may act for any branch; only the branch manager approves or rejects quotes; ownership is
transferred by the branch manager or HQ; sales settings (pipeline, discount threshold) are the
company's (admin) or a branch's (its manager, or admin); only HQ sets and adjusts quotas; every
role reads, auditors included.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from crm_api.answers import OpportunityRecord
from crm_api.routes import HQ_WRITERS, MANAGER, READERS, SALES, Body, Day, Route, example

TAG = ("opportunities",)
WRITERS = SALES | HQ_WRITERS
Money = Decimal
Text = Field(min_length=1, max_length=200)
Note = Field("", max_length=2000)


class OpportunityLine(Body):
    product: str = Field(min_length=1, max_length=200)
    product_line: str = Field(min_length=1, max_length=100)
    quantity: Decimal = Field(gt=0, max_digits=12, decimal_places=3)
    unit_price: Money = Field(ge=0, max_digits=16, decimal_places=2)


class OpenOpportunity(Body):
    model_config = example(
        account_id="acct-1042",
        name="Line 3 retrofit",
        amount=250000,
        currency="CNY",
        expected_close="2027-03-31",
        lines=[
            {"product": "PX-200 pump", "product_line": "pumps", "quantity": 2, "unit_price": 125000}
        ],
    )

    account_id: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    amount: Money = Field(gt=0, max_digits=16, decimal_places=2)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    expected_close: Day
    branch: str | None = Field(None, description="Required for HQ callers; defaults to yours")
    lead_id: str | None = Field(None, max_length=100)
    campaign_id: str | None = Field(None, max_length=100)
    lines: list[OpportunityLine] = Field(default_factory=list, max_length=200)


class ChangeStage(Body):
    model_config = example(stage="bidding")

    stage: str = Field(min_length=1, max_length=64, description="A stage of the branch's pipeline")


class UpdateDetails(Body):
    model_config = example(
        name="Line 3 retrofit, phase 1", amount=180000, expected_close="2027-04-30", lines=[]
    )

    name: str = Text
    amount: Money = Field(gt=0, max_digits=16, decimal_places=2)
    expected_close: Day
    lines: list[OpportunityLine] = Field(default_factory=list, max_length=200)


class LogActivity(Body):
    model_config = example(kind="visit", cost=320.5, note="Site visit with the plant manager")

    kind: Literal["visit", "call", "meeting", "email", "demo"]
    cost: Money = Field(Decimal(0), ge=0, max_digits=12, decimal_places=2)
    note: str = Note


class Member(Body):
    user_id: str = Field(min_length=1, max_length=100)
    share: Decimal = Field(gt=0, le=100, max_digits=5, decimal_places=2)


class SetTeam(Body):
    model_config = example(
        team=[{"user_id": "alice", "share": 60}, {"user_id": "bob", "share": 40}]
    )

    team: list[Member] = Field(min_length=1, max_length=20)


class OpportunityTransfer(Body):
    model_config = example(to_owner="bob", reason="Alice moves to key accounts")

    to_owner: str = Field(min_length=1, max_length=100)
    reason: str = Text


class TrackCompetitor(Body):
    model_config = example(
        competitor="Acme Pumps", their_quote=230000, strategy="Undercut on price"
    )

    competitor: str = Text
    their_quote: Money | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    strategy: str = Note


class QuoteLine(Body):
    product: str = Field(min_length=1, max_length=200)
    product_line: str = Field(min_length=1, max_length=100)
    quantity: Decimal = Field(gt=0, max_digits=12, decimal_places=3)
    unit_price: Money = Field(ge=0, max_digits=16, decimal_places=2)
    discount_percent: Decimal = Field(Decimal(0), ge=0, le=100, max_digits=5, decimal_places=2)


class AddQuote(Body):
    model_config = example(
        lines=[
            {
                "product": "PX-200 pump",
                "product_line": "pumps",
                "quantity": 2,
                "unit_price": 125000,
                "discount_percent": 15,
            }
        ]
    )

    lines: list[QuoteLine] = Field(min_length=1, max_length=200)


class OpportunityReason(Body):
    model_config = example(reason="Discount too deep for this margin")

    reason: str = Text


class Lose(Body):
    model_config = example(reason="competitor", competitor="Acme Pumps", competitor_price=210000)

    reason: Literal[
        "price", "product_fit", "relationship", "timing", "competitor", "no_decision", "other"
    ]
    competitor: str | None = Field(None, max_length=200)
    competitor_price: Money | None = Field(None, ge=0, max_digits=16, decimal_places=2)


class CloseSummary(Body):
    model_config = example(
        reason="price",
        competitor="Acme Pumps",
        competitor_price=210000,
        lessons="Bring the service contract into the first offer",
    )

    reason: str = Text
    competitor: str | None = Field(None, max_length=200)
    competitor_price: Money | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    lessons: str = Field(min_length=1, max_length=4000)


class Stage(Body):
    stage: str = Field(min_length=1, max_length=64)
    probability: Decimal = Field(gt=0, le=100, max_digits=5, decimal_places=2)


class SalesSettings(Body):
    model_config = example(
        pipeline=[
            {"stage": "prospecting", "probability": 10},
            {"stage": "bidding", "probability": 40},
            {"stage": "negotiation", "probability": 70},
            {"stage": "won", "probability": 100},
        ],
        discount_threshold_percent=12,
    )

    pipeline: list[Stage] | None = Field(None, min_length=2, max_length=20)
    discount_threshold_percent: Decimal | None = Field(None, ge=0, le=100, decimal_places=2)


class SetQuota(Body):
    model_config = example(
        year=2027, dimension="branch", key="SH01", branch="SH01", annual=12000000
    )

    year: int = Field(ge=2000, le=2100)
    dimension: Literal["branch", "rep", "product_line", "channel"]
    key: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.@-]+$")
    branch: str | None = Field(None, max_length=64, description="The branch it belongs to, if any")
    annual: Money = Field(gt=0, max_digits=16, decimal_places=2)
    last_year_months: list[Money] | None = Field(
        None, min_length=12, max_length=12, description="Split by last year's monthly shares"
    )


class AdjustQuota(Body):
    model_config = example(from_month=7, percent=-10, reason="Market cooled in the second half")

    from_month: int = Field(1, ge=1, le=12)
    percent: Decimal | None = Field(None, ge=-100, le=1000, decimal_places=2)
    amount: Money | None = Field(None, max_digits=16, decimal_places=2)
    reason: str = Text


def _r(
    name: str, method: str, path: str, summary: str, roles: frozenset[str], **kw: object
) -> Route:
    return Route(name, method, path, summary, roles, tags=TAG, **kw)  # type: ignore[arg-type]


ONE = "/opportunities/{opportunity_id}"
QUOTE = ONE + "/quotes/{quote_id}"
OPEN = _r(
    "open_opportunity",
    "POST",
    "/opportunities",
    "Open an opportunity in the first stage",
    WRITERS,
    body=OpenOpportunity,
    status=201,
)
CHANGE_STAGE = _r(
    "change_opportunity_stage",
    "POST",
    ONE + "/stage",
    "Move an opportunity to another stage; the last one wins it",
    WRITERS,
    body=ChangeStage,
)
UPDATE = _r(
    "update_opportunity",
    "PUT",
    ONE,
    "Change name, amount, expected close and product lines",
    WRITERS,
    body=UpdateDetails,
)
ACTIVITY = _r(
    "log_opportunity_activity",
    "POST",
    ONE + "/activities",
    "Log a visit, call, meeting, e-mail or demo with its cost",
    WRITERS,
    body=LogActivity,
)
TEAM = _r(
    "set_opportunity_team",
    "PUT",
    ONE + "/team",
    "Set the owning team; credit shares add up to 100",
    WRITERS,
    body=SetTeam,
)
TRANSFER = _r(
    "transfer_opportunity",
    "POST",
    ONE + "/transfer",
    "Give the opportunity to another owner, history kept",
    MANAGER | HQ_WRITERS,
    body=OpportunityTransfer,
)
COMPETITOR = _r(
    "track_competitor",
    "POST",
    ONE + "/competitors",
    "Track a competitor: their quote and strategy",
    WRITERS,
    body=TrackCompetitor,
)
UNTRACK = _r(
    "remove_competitor",
    "DELETE",
    ONE + "/competitors/{competitor}",
    "Stop tracking a competitor",
    WRITERS,
)
QUOTE_ADD = _r(
    "add_quote",
    "POST",
    ONE + "/quotes",
    "Add a quote version; above the discount threshold it needs approval",
    WRITERS,
    body=AddQuote,
)
QUOTE_APPROVE = _r(
    "approve_quote", "POST", QUOTE + "/approve", "Approve a quote waiting for approval", MANAGER
)
QUOTE_REJECT = _r(
    "reject_quote",
    "POST",
    QUOTE + "/reject",
    "Reject a quote waiting for approval",
    MANAGER,
    body=OpportunityReason,
)
QUOTE_SEND = _r("send_quote", "POST", QUOTE + "/send", "Send a quote to the customer", WRITERS)
SUSPEND = _r(
    "suspend_opportunity",
    "POST",
    ONE + "/suspend",
    "Pause an opportunity",
    WRITERS,
    body=OpportunityReason,
)
REACTIVATE = _r(
    "reactivate_opportunity",
    "POST",
    ONE + "/reactivate",
    "Resume a suspended opportunity (a manager after 90 days)",
    WRITERS,
)
WIN = _r(
    "win_opportunity",
    "POST",
    ONE + "/win",
    "Win: a draft contract follows in the contracts context",
    WRITERS,
)
LOSE = _r(
    "lose_opportunity",
    "POST",
    ONE + "/lose",
    "Lose, with the reason and the competitor that won",
    WRITERS,
    body=Lose,
)
SUMMARY = _r(
    "record_close_summary",
    "POST",
    ONE + "/close-summary",
    "Record the close summary of a won or lost opportunity",
    WRITERS,
    body=CloseSummary,
)
ARCHIVE = _r(
    "archive_opportunity",
    "POST",
    ONE + "/archive",
    "Archive a closed opportunity with its summary",
    WRITERS,
)
GET = _r(
    "get_opportunity",
    "GET",
    ONE,
    "The opportunity's current state, folded from its events",
    READERS,
    answer=OpportunityRecord,
)
SETTINGS = _r(
    "change_sales_settings",
    "PUT",
    "/sales-settings/{scope}",
    "Set the pipeline and discount threshold of the company or a branch",
    MANAGER | frozenset({"admin"}),
    body=SalesSettings,
)
SETTINGS_GET = _r(
    "get_sales_settings",
    "GET",
    "/sales-settings/{scope}",
    "The sales settings in force for the company or a branch",
    READERS,
)
QUOTA_SET = _r(
    "set_quota",
    "POST",
    "/quotas",
    "Set an annual target, split into months",
    HQ_WRITERS,
    body=SetQuota,
    status=201,
)
QUOTA_ADJUST = _r(
    "adjust_quota",
    "POST",
    "/quotas/{quota_id}/adjust",
    "Adjust a target from a month on, with the reason",
    HQ_WRITERS,
    body=AdjustQuota,
)
QUOTA_GET = _r(
    "get_quota", "GET", "/quotas/{quota_id}", "A quota with its months and quarters", READERS
)

ROUTES = (
    OPEN,
    CHANGE_STAGE,
    UPDATE,
    ACTIVITY,
    TEAM,
    TRANSFER,
    COMPETITOR,
    UNTRACK,
    QUOTE_ADD,
    QUOTE_APPROVE,
    QUOTE_REJECT,
    QUOTE_SEND,
    SUSPEND,
    REACTIVATE,
    WIN,
    LOSE,
    SUMMARY,
    ARCHIVE,
    GET,
    SETTINGS,
    SETTINGS_GET,
    QUOTA_SET,
    QUOTA_ADJUST,
    QUOTA_GET,
)
