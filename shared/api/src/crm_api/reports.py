"""Report routes: answered by the projections service from the read models, in the caller's scope.

Every report takes `branch` (an HQ caller may omit it for the whole company; a branch caller sees
only its own branch, and naming another is 404) and `consistent_with` (a command's consistency
token: the report waits, up to CRM_CONSISTENCY_WAIT_SECONDS, until the read model has applied it,
else answers with the header `X-CRM-Stale: true`).
"""

from __future__ import annotations

from pydantic import Field

from crm_api.routes import READERS, Body, Route

TAG = ("reports",)


class Scope(Body):
    branch: str | None = Field(None, max_length=64, description="One branch; HQ roles may omit it")
    consistent_with: str | None = Field(
        None, max_length=300, description="A command's consistency_token: read your write"
    )


class Forecast(Scope):
    months: int = Field(6, ge=1, le=24, description="How many months ahead")


FUNNEL = Route(
    "funnel_report",
    "GET",
    "/reports/funnel",
    "Opportunities per stage of the pipeline: how many, and their total amount",
    READERS,
    query=Scope,
    tags=TAG,
)
FORECAST = Route(
    "forecast_report",
    "GET",
    "/reports/forecast",
    "Expected revenue per coming month, weighted pipeline, conversion rates and stage durations",
    READERS,
    query=Forecast,
    tags=TAG,
)


LOST_DEALS = Route(
    "lost_deals_report",
    "GET",
    "/reports/lost-deals",
    "Lost opportunities by reason, by the stage they were lost at, and by competitor",
    READERS,
    query=Scope,
    tags=TAG,
)
COMPETITORS = Route(
    "competitors_report",
    "GET",
    "/reports/competitors",
    "Per competitor: decided deals they bid on, our win rate and share against them",
    READERS,
    query=Scope,
    tags=TAG,
)

SERVICE_QUALITY = Route(
    "service_quality_report",
    "GET",
    "/reports/service-quality",
    "Satisfaction, complaint and SLA breach rates, complaint delays by grade, repair statistics",
    READERS,
    query=Scope,
    tags=TAG,
)

OVERDUE_LEADS = Route(
    "overdue_leads_report",
    "GET",
    "/reports/overdue-leads",
    "Leads whose first follow-up is overdue: the manager's list",
    READERS,
    query=Scope,
    tags=TAG,
)
CAMPAIGNS = Route(
    "campaign_effectiveness_report",
    "GET",
    "/reports/campaigns",
    "Per campaign: leads, opportunities, won revenue attributed, cost per lead and ROI",
    READERS,
    query=Scope,
    tags=TAG,
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
)

ROUTES = (
    NEGLECTED,
    FUNNEL,
    FORECAST,
    LOST_DEALS,
    COMPETITORS,
    SERVICE_QUALITY,
    OVERDUE_LEADS,
    CAMPAIGNS,
)
