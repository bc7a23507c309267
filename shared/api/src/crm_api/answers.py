"""What the routes answer, as the OpenAPI document describes it to generated clients.

The services render these answers themselves (a record's folded state, a report's rows); the models
here are their published shape. Each names the fields a client relies on and allows the rest, so a
record or a report may gain a field without breaking a client. A route without a model of its own
answers `Accepted` (a command), `Record` (a record) or `Report` (a report).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Rows = list[dict[str, Any]]  # rows of a reporting view, column by column (docs/reporting.md)


class Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


class Record(Answer):
    """A record's current state, folded from its events; its fields depend on the record."""

    version: int = Field(description="The record's version, also the ETag: send it as If-Match")


class OpportunityRecord(Record):
    """An opportunity: where it stands, what it is worth, who owns it."""

    id: str
    account_id: str
    name: str
    amount: float
    currency: str
    expected_close: date
    branch: str
    owner_id: str
    stage: str = Field(description="The stage of the pipeline it is in")
    status: str = Field(description="open, suspended, won or lost")


class Report(Answer):
    """A report's answer in the caller's scope. It carries the header `X-CRM-Stale: true` when a
    `consistent_with` was not reached in time."""

    branch: str | None = Field(description="The branch reported on; none for the whole company")


class PeriodReport(Report):
    since: date | None = Field(description="From this day on (inclusive); none: from the start")
    until: date | None = Field(description="Up to this day (exclusive); none: up to now")


class FunnelStage(BaseModel):
    stage: str
    count: int = Field(description="Open opportunities in the stage")
    amount: float = Field(description="Their total amount")


class FunnelReport(Report):
    """Open opportunities per stage of the pipeline."""

    region: str | None
    stages: list[FunnelStage]


class ForecastMonth(BaseModel):
    month: str = Field(description="YYYY-MM")
    expected: float = Field(description="Revenue expected to close in the month, weighted")


class StageStatistics(BaseModel):
    stage: str
    conversion_to_next: float = Field(description="The share that reached the next stage")
    conversion_measured: bool = Field(description="Measured, else the configured fallback")
    average_days: float
    days_measured: bool
    decided: int = Field(description="The stays the rate was measured on")


class ForecastReport(Report):
    """Expected revenue per coming month, the weighted pipeline, conversion and stage durations."""

    region: str | None
    as_of: str
    open_opportunities: int
    weighted_pipeline: float
    months: list[ForecastMonth]
    stages: list[StageStatistics]


class LostGroup(BaseModel):
    key: str | None
    opportunities: int
    amount: float


class LostDealsReport(PeriodReport):
    """Lost opportunities (closed in the period) by reason, stage and competitor."""

    lost: int
    by_reason: list[LostGroup]
    by_stage: list[LostGroup]
    by_competitor: list[LostGroup]


class CompetitorsReport(PeriodReport):
    """Per competitor: the decided deals they bid on, our win rate and their share."""

    competitors: Rows


class ServiceQualityReport(PeriodReport):
    """Satisfaction, complaint and SLA breach rates, complaint delays by grade, repairs."""

    tickets: int
    satisfaction_rate: float | None
    complaint_rate: float | None
    sla_breach_rate: float | None
    complaint_delays_by_grade: Rows
    repairs: Rows


class OverdueLeadsReport(Report):
    """Leads whose first follow-up is overdue."""

    leads: Rows


class CampaignsReport(PeriodReport):
    """Per campaign (started in the period): leads, opportunities, revenue, cost per lead, ROI."""

    campaigns: Rows


class NeglectedCustomersReport(Report):
    """Customers with no logged interaction for `days` days."""

    days: int
    customers: Rows


class ReceivablesReport(Report):
    """What contracts are owed and collected, the overdue and the bad-debt risks."""

    contracts: int
    amount: float
    collected: float
    outstanding: float
    percent_collected: float | None
    overdue: float
    bad_debt_risks: int
    overdue_contracts: Rows


class ProductsReport(PeriodReport):
    """Products ranked by revenue, volume, margin, complaints and returns."""

    products: Rows


class PeopleReport(PeriodReport):
    """Per person and per branch: won revenue and the other measures of the period."""

    people: Rows
    branches: Rows


class CustomerValueReport(Report):
    """Value score, ABC grade, lifecycle stage and relationship of each customer."""

    computed_at: str | None
    customers_graded: int
    grades: dict[str, int]
    top_20_percent_revenue_share: float | None
    customers: Rows


class RollupsReport(Report):
    """Measures per branch, region or company for a period, the previous one and last year's."""

    period: str
    group_by: str
    tree: str
    periods: dict[str, str] = Field(description="Each window's label: current, previous ...")
    groups: Rows


class TicketQueue(Answer):
    """The open tickets in the order an agent takes them (grade, then deadline)."""

    tickets: Rows


class AnalysisRun(Answer):
    """What one run of the customer-value analysis graded and published."""

    customers_graded: int
    grades: dict[str, int] = Field(description="Customers per grade (A, B, C)")
    grades_published: int
