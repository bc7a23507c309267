"""Customer value, ABC grades, lifecycle stage and relationship type (DOMAIN.md §5), with polars.

A batch over the read models, on a schedule and on demand (`POST /analysis/customer-value/runs`):
1. per account over the last 12 months: net order amount (signed contract lines less returns),
   net margin, and the days its instalments were paid late or are overdue;
2. each factor normalised across customers to 0..1:
   order and margin as a share of the best customer's (a negative margin counts as 0); credit as
   1 - days late / the most days late of any customer, and 0 for a customer with no instalment due
   in the window (no payment history is no credit standing);
3. score = 100 x (credit weight x credit + order weight x order + margin weight x margin),
   weights 10/30/60 by default; a customer with nothing bought and no instalment due in the
   window is scored by its manager's growth-potential estimate (0-100) when it has one;
4. ranked by score (then order amount, then account id): the customers whose rank is within the
   first 20 % are A, the next 30 % B, the rest C (ratios configurable);
5. every grade that differs from the one last accepted by the leads context is sent to it
   (`PUT /accounts/{id}/grade` as the analysis); leads keeps a manager's override winning and
   publishes `CustomerGradeChanged` when the effective grade changes.

Results: `projections.customer_values`, read through `reporting.customer_values`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import polars as pl
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from crm_projections.read_models.customer_value.tables import customer_values, value_settings

log = logging.getLogger("crm.projections.value")


@dataclass(frozen=True)
class ValueSettings:
    credit_weight: int = 10  # percent; the three add up to 100
    order_weight: int = 30
    margin_weight: int = 60
    a_percent: int = 20  # the top share of customers graded A
    b_percent: int = 30  # the next share graded B; the rest are C


def score(customers: pl.DataFrame, settings: ValueSettings) -> pl.DataFrame:
    """Factors, score, rank and grade of every customer.

    `customers`: account_id, revenue, margin, late_days (int), instalments_due (int), plus any
    other columns (kept). Pure: the same frame always grades the same way.
    """
    n = customers.height

    def share(column: str) -> pl.Expr:
        best = pl.col(column).clip(lower_bound=0).max()
        return pl.when(best > 0).then(pl.col(column).clip(lower_bound=0) / best).otherwise(0.0)

    with_history = pl.col("instalments_due") > 0
    worst = pl.col("late_days").filter(with_history).max()
    credit = (
        pl.when(~with_history)
        .then(0.0)
        .when(worst.fill_null(0) > 0)
        .then(1.0 - pl.col("late_days") / worst)
        .otherwise(1.0)
    )
    scored = customers.with_columns(
        credit_factor=credit.cast(pl.Float64),
        order_factor=share("revenue").cast(pl.Float64),
        margin_factor=share("margin").cast(pl.Float64),
    ).with_columns(
        score=(
            settings.credit_weight * pl.col("credit_factor")
            + settings.order_weight * pl.col("order_factor")
            + settings.margin_weight * pl.col("margin_factor")
        ).round(2)
    )
    if "growth_potential" in scored.columns:  # a new customer is scored by the manager's estimate
        new = (pl.col("revenue") == 0) & (pl.col("instalments_due") == 0)
        estimated = new & pl.col("growth_potential").is_not_null()
        scored = scored.with_columns(
            score=pl.when(estimated)
            .then(pl.col("growth_potential").cast(pl.Float64))
            .otherwise(pl.col("score"))
        )
    ranked = scored.sort(
        ["score", "revenue", "account_id"], descending=[True, True, False]
    ).with_row_index("rank", offset=1)
    a, ab = settings.a_percent, settings.a_percent + settings.b_percent
    return ranked.with_columns(
        rank=pl.col("rank").cast(pl.Int64),
        grade=pl.when(pl.col("rank") * 100 <= a * n)
        .then(pl.lit("A"))
        .when(pl.col("rank") * 100 <= ab * n)
        .then(pl.lit("B"))
        .otherwise(pl.lit("C")),
    )


def stages(customers: pl.DataFrame, now: datetime) -> pl.DataFrame:
    """Lifecycle stage and relationship type from the columns revenue, margin, recent_revenue
    (last 6 months), earlier_revenue (the 6 before), first_signed_at, overdue_now (amount),
    open_opportunities, lost_opportunities, interactions."""
    bought = pl.col("revenue") > 0
    lifecycle = (
        pl.when(pl.col("overdue_now") > 0)
        .then(pl.lit("problem"))
        .when(bought & (pl.col("margin") <= pl.col("revenue") * 0.01))
        .then(pl.lit("no_value"))
        .when(bought & (pl.col("first_signed_at") >= now - timedelta(days=90)))
        .then(pl.lit("new"))
        .when(bought & (pl.col("recent_revenue") > pl.col("earlier_revenue") * 1.1))
        .then(pl.lit("growing"))
        .when(bought & (pl.col("recent_revenue") < pl.col("earlier_revenue") * 0.9))
        .then(pl.lit("declining"))
        .when(bought)
        .then(pl.lit("stable"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    relationship = (
        pl.when(bought)
        .then(pl.lit("relationship"))
        .when(
            pl.col("first_signed_at").is_not_null()
            | ((pl.col("lost_opportunities") > 0) & (pl.col("open_opportunities") == 0))
        )
        .then(pl.lit("lost"))
        .when((pl.col("open_opportunities") > 0) | (pl.col("interactions") > 0))
        .then(pl.lit("responsive"))
        .otherwise(pl.lit("potential"))
    )
    return customers.with_columns(lifecycle=lifecycle, relationship=relationship)


def top_share(customers: pl.DataFrame, percent: int = 20) -> float | None:
    """The share of revenue coming from the top `percent` of customers by revenue (80/20)."""
    revenue = customers.get_column("revenue").clip(lower_bound=0).sort(descending=True)
    total = revenue.sum()
    if not total:
        return None
    top = revenue.head(max(1, percent * len(revenue) // 100)).sum()
    return round(float(top) / float(total), 4)


INPUTS = """
with sales as (
    select account_id,
           sum(revenue - returned_value) filter (where signed_at >= :year_ago) as revenue,
           sum(margin - returned_margin) filter (where signed_at >= :year_ago) as margin,
           sum(revenue - returned_value) filter (where signed_at >= :half_year_ago) as recent,
           sum(revenue - returned_value)
               filter (where signed_at >= :year_ago and signed_at < :half_year_ago) as earlier,
           min(signed_at) as first_signed_at
    from reporting.product_sales group by account_id
), credit as (
    select account_id,
           count(*) filter (where due >= cast(:year_ago as date))::int as instalments_due,
           coalesce(sum(case when open > 0 then days_overdue
                             else greatest(0, cast(last_paid_at as date) - due) end)
                    filter (where due >= cast(:year_ago as date)), 0)::int as late_days,
           coalesce(sum(open) filter (where days_overdue > 0), 0) as overdue_now
    from reporting.contract_instalments where due < current_date group by account_id
), deals as (
    select account_id, count(*) filter (where status = 'open')::int as open_opportunities,
           count(*) filter (where status = 'lost')::int as lost_opportunities
    from projections.funnel_opportunities group by account_id
)
select a.account_id, a.branch, a.company, a.interactions, a.growth_potential,
       coalesce(s.revenue, 0) as revenue, coalesce(s.margin, 0) as margin,
       coalesce(s.recent, 0) as recent_revenue, coalesce(s.earlier, 0) as earlier_revenue,
       s.first_signed_at,
       coalesce(c.instalments_due, 0) as instalments_due, coalesce(c.late_days, 0) as late_days,
       coalesce(c.overdue_now, 0) as overdue_now,
       coalesce(d.open_opportunities, 0) as open_opportunities,
       coalesce(d.lost_opportunities, 0) as lost_opportunities,
       v.published_grade
from projections.accounts a
left join sales s using (account_id) left join credit c using (account_id)
left join deals d using (account_id)
left join projections.customer_values v using (account_id)
"""

SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "account_id": pl.String,
    "branch": pl.String,
    "company": pl.String,
    "interactions": pl.Int64,
    "growth_potential": pl.Int64,
    "revenue": pl.Float64,
    "margin": pl.Float64,
    "recent_revenue": pl.Float64,
    "earlier_revenue": pl.Float64,
    "first_signed_at": pl.Datetime("us", "UTC"),
    "instalments_due": pl.Int64,
    "late_days": pl.Int64,
    "overdue_now": pl.Float64,
    "open_opportunities": pl.Int64,
    "lost_opportunities": pl.Int64,
    "published_grade": pl.String,
}


# SQL run against PostgreSQL: verified by tests/e2e/test_analysis.py, not by mutation
async def current_settings(conn: AsyncConnection) -> ValueSettings:  # pragma: no mutate block
    row = (
        await conn.execute(
            text(
                "select credit_weight, order_weight, margin_weight, a_percent, b_percent"
                " from projections.value_settings order by changed_at desc, id desc limit 1"
            )
        )
    ).first()
    return ValueSettings(*row) if row else ValueSettings()


# SQL run against PostgreSQL: verified by tests/e2e/test_analysis.py, not by mutation
async def compute(engine: AsyncEngine, now: datetime) -> pl.DataFrame:  # pragma: no mutate block
    """Grade every account as of `now` and store the result (published grades are kept)."""
    async with engine.begin() as conn:
        settings = await current_settings(conn)
        found = await conn.execute(
            text(INPUTS),
            {"year_ago": now - timedelta(days=365), "half_year_ago": now - timedelta(days=182)},
        )
        rows = [
            {k: float(v) if isinstance(v, Decimal) else v for k, v in r.items()}
            for r in found.mappings()
        ]
        frame = stages(score(pl.DataFrame(rows, schema=SCHEMA), settings), now)
        await conn.execute(customer_values.delete())
        if frame.height:
            out = frame.with_columns(computed_at=pl.lit(now)).select(
                [c.name for c in customer_values.columns]
            )
            await conn.execute(customer_values.insert(), out.to_dicts())
    return frame


Publish = Callable[[str, str], Awaitable[bool]]


# SQL run against PostgreSQL: verified by tests/e2e/test_analysis.py, not by mutation
async def publish(
    engine: AsyncEngine, frame: pl.DataFrame, send: Publish
) -> int:  # pragma: no mutate block
    """Send each grade leads has not accepted yet; answers how many were accepted."""
    changed = frame.filter(
        pl.col("published_grade").is_null() | (pl.col("published_grade") != pl.col("grade"))
    ).select("account_id", "grade")
    accepted = 0
    for account_id, grade in changed.iter_rows():
        if await send(account_id, grade):
            accepted += 1
            async with engine.begin() as conn:
                await conn.execute(
                    customer_values.update()
                    .where(customer_values.c.account_id == account_id)
                    .values(published_grade=grade)
                )
    return accepted


# SQL run against PostgreSQL: verified by tests/e2e/test_analysis.py, not by mutation
async def change_settings(
    engine: AsyncEngine, settings: ValueSettings, by: str
) -> None:  # pragma: no mutate block
    async with engine.begin() as conn:
        await conn.execute(
            value_settings.insert().values(
                changed_by=by,
                credit_weight=settings.credit_weight,
                order_weight=settings.order_weight,
                margin_weight=settings.margin_weight,
                a_percent=settings.a_percent,
                b_percent=settings.b_percent,
            )
        )
