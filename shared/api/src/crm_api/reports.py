"""Report routes: answered by the projections service from the read models, in the caller's scope.

Every report takes `branch` (an HQ caller may omit it for the whole company; a branch caller sees
only its own branch, and naming another is 404) and `consistent_with` (a command's consistency
token: the report waits, up to CRM_CONSISTENCY_WAIT_SECONDS, until the read model has applied it,
else answers with the header `X-CRM-Stale: true`).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from crm_api.answers import (
    AnalysisRun,
    CampaignsReport,
    CompetitorsReport,
    CustomerValueReport,
    ForecastReport,
    FunnelReport,
    LostDealsReport,
    NeglectedCustomersReport,
    OverdueLeadsReport,
    PeopleReport,
    ProductsReport,
    ReceivablesReport,
    RollupsReport,
    ServiceQualityReport,
)
from crm_api.routes import HQ_WRITERS, READERS, Body, Day, Route, example

TAG = ("reports",)
ANALYST = "system:analysis"  # the user the customer-value analysis sends computed grades as


class Scope(Body):
    branch: str | None = Field(None, max_length=64, description="One branch; HQ roles may omit it")
    consistent_with: str | None = Field(
        None, max_length=300, description="A command's consistency_token: read your write"
    )


class Period(Scope):
    """A report over what happened in a period (each report says which moment of a record
    counts: when a deal was closed, a contract signed, a lead assigned, ...)."""

    since: Day | None = Field(None, description="From this day on (inclusive)")
    until: Day | None = Field(None, description="Up to this day (exclusive)")

    @field_validator("until")
    @classmethod
    def after_since(cls, until: date | None, info: ValidationInfo) -> date | None:
        since = info.data.get("since")
        if until is not None and since is not None and until <= since:
            raise ValueError("until must be after since")
        return until


class Pipeline(Scope):
    region: str | None = Field(
        None, max_length=64, description="Only the branches in this region now (HQ roles)"
    )


class Forecast(Pipeline):
    months: int = Field(6, ge=1, le=24, description="How many months ahead")


FUNNEL = Route(
    "funnel_report",
    "GET",
    "/reports/funnel",
    "Opportunities per stage of the pipeline: how many, and their total amount",
    READERS,
    query=Pipeline,
    tags=TAG,
    answer=FunnelReport,
)
FORECAST = Route(
    "forecast_report",
    "GET",
    "/reports/forecast",
    "Expected revenue per coming month, weighted pipeline, conversion rates and stage durations",
    READERS,
    query=Forecast,
    tags=TAG,
    answer=ForecastReport,
)


LOST_DEALS = Route(
    "lost_deals_report",
    "GET",
    "/reports/lost-deals",
    "Lost opportunities by reason, by the stage they were lost at, and by competitor"
    " (closed in the period)",
    READERS,
    query=Period,
    tags=TAG,
    answer=LostDealsReport,
)
COMPETITORS = Route(
    "competitors_report",
    "GET",
    "/reports/competitors",
    "Per competitor: decided deals they bid on, our win rate and share against them",
    READERS,
    query=Period,
    tags=TAG,
    answer=CompetitorsReport,
)

SERVICE_QUALITY = Route(
    "service_quality_report",
    "GET",
    "/reports/service-quality",
    "Satisfaction, complaint and SLA breach rates, complaint delays by grade, repair statistics",
    READERS,
    query=Period,
    tags=TAG,
    answer=ServiceQualityReport,
)

OVERDUE_LEADS = Route(
    "overdue_leads_report",
    "GET",
    "/reports/overdue-leads",
    "Leads whose first follow-up is overdue: the manager's list",
    READERS,
    query=Scope,
    tags=TAG,
    answer=OverdueLeadsReport,
)
CAMPAIGNS = Route(
    "campaign_effectiveness_report",
    "GET",
    "/reports/campaigns",
    "Per campaign: leads, opportunities, won revenue attributed, cost per lead and ROI",
    READERS,
    query=Period,
    tags=TAG,
    answer=CampaignsReport,
)


class Neglected(Scope):
    days: int = Field(90, ge=1, le=3650, description="No logged interaction for this many days")


NEGLECTED = Route(
    "neglected_customers_report",
    "GET",
    "/reports/neglected-customers",
    "Customers with no logged interaction for N days (default 90)",
    READERS,
    query=Neglected,
    tags=TAG,
    answer=NeglectedCustomersReport,
)

RECEIVABLES = Route(
    "receivables_report",
    "GET",
    "/reports/receivables",
    "Signed contracts: amount, collected, outstanding and overdue, bad-debt risks",
    READERS,
    query=Scope,
    tags=TAG,
    answer=ReceivablesReport,
)
PRODUCTS = Route(
    "product_rankings_report",
    "GET",
    "/reports/products",
    "Per product: net revenue, volume, margin, complaints and returns, with each ranking",
    READERS,
    query=Period,
    tags=TAG,
    answer=ProductsReport,
)
PEOPLE = Route(
    "people_report",
    "GET",
    "/reports/people",
    "Per rep: leads, opportunities, quotes, visits, won revenue, complaints and praise",
    READERS,
    query=Period,
    tags=TAG,
    answer=PeopleReport,
)


class CustomerValueQuery(Scope):
    grade: Literal["A", "B", "C"] | None = Field(None, description="Only customers of this grade")


CUSTOMER_VALUE = Route(
    "customer_value_report",
    "GET",
    "/reports/customer-value",
    "Value score, ABC grade, lifecycle stage and relationship of each customer; the 80/20 share",
    READERS,
    query=CustomerValueQuery,
    tags=TAG,
    answer=CustomerValueReport,
)
RUN_CUSTOMER_VALUE = Route(
    "run_customer_value",
    "POST",
    "/analysis/customer-value/runs",
    "Compute value scores and grades now and publish the grade changes",
    HQ_WRITERS,
    tags=TAG,
    answer=AnalysisRun,
)


class ValueSettings(Body):
    model_config = example(
        credit_weight=10, order_weight=30, margin_weight=60, a_percent=20, b_percent=30
    )

    credit_weight: int = Field(ge=0, le=100, description="Percent of the score")
    order_weight: int = Field(ge=0, le=100, description="Percent of the score")
    margin_weight: int = Field(ge=0, le=100, description="Percent of the score")
    a_percent: int = Field(ge=1, le=100, description="Top share of customers graded A")
    b_percent: int = Field(ge=0, le=100, description="Next share graded B; the rest are C")

    @field_validator("margin_weight")
    @classmethod
    def weights_add_up(cls, margin: int, info: ValidationInfo) -> int:
        others = info.data.get("credit_weight", 0) + info.data.get("order_weight", 0)
        if others + margin != 100:
            raise ValueError("credit_weight, order_weight and margin_weight must add up to 100")
        return margin

    @field_validator("b_percent")
    @classmethod
    def ratios_fit(cls, b: int, info: ValidationInfo) -> int:
        if info.data.get("a_percent", 0) + b > 100:
            raise ValueError("a_percent and b_percent must not exceed 100 together")
        return b


VALUE_SETTINGS = Route(
    "get_value_settings",
    "GET",
    "/analysis/value-settings",
    "The weights of the value score and the ABC ratios",
    READERS,
    tags=TAG,
    answer=ValueSettings,
)
CHANGE_VALUE_SETTINGS = Route(
    "change_value_settings",
    "PUT",
    "/analysis/value-settings",
    "Change the weights of the value score and the ABC ratios (kept with who and when)",
    HQ_WRITERS,
    body=ValueSettings,
    tags=TAG,
    answer=ValueSettings,
)


class Rollup(Scope):
    period: Literal["month", "quarter", "year"] = "month"
    at: Day | None = Field(None, description="A day inside the period (default: today)")
    group_by: Literal["branch", "region", "company"] = "branch"
    tree: Literal["as_then", "current"] = Field(
        "as_then", description="Regions as they were when each thing happened, or as they are now"
    )


ROLLUPS = Route(
    "regional_rollups_report",
    "GET",
    "/reports/rollups",
    "Per branch, region or company and period: pipeline, won revenue, contracts, receivables,"
    " service, quota attainment; with the previous period and the same period last year",
    READERS,
    query=Rollup,
    tags=TAG,
    answer=RollupsReport,
)

ROUTES = (
    RECEIVABLES,
    PRODUCTS,
    PEOPLE,
    CUSTOMER_VALUE,
    RUN_CUSTOMER_VALUE,
    VALUE_SETTINGS,
    CHANGE_VALUE_SETTINGS,
    ROLLUPS,
    NEGLECTED,
    FUNNEL,
    FORECAST,
    LOST_DEALS,
    COMPETITORS,
    SERVICE_QUALITY,
    OVERDUE_LEADS,
    CAMPAIGNS,
)
