"""Read-model tables (schema `projections`) and the stable views BI tools read (schema `reporting`)."""

from __future__ import annotations

import logging
import re

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger("crm.projections.tables")

metadata = MetaData(schema="projections")

# How far each read model has applied each stream: the basis of duplicate and gap handling.
stream_progress = Table(
    "stream_progress",
    metadata,
    Column("projection", Text, primary_key=True),
    Column("stream_id", Text, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
)

# How far each read model has caught up by reading an event store directly (start-up catch-up).
store_checkpoints = Table(
    "store_checkpoints",
    metadata,
    Column("projection", Text, primary_key=True),
    Column("context", Text, primary_key=True),
    Column("position", BigInteger, nullable=False),
)

# The shape each read model was built with: a read model whose tables or logic changed is rebuilt
# from the event stores at start-up (a read model's "migration" is its rebuild).
read_model_versions = Table(
    "read_model_versions",
    metadata,
    Column("name", Text, primary_key=True),
    Column("fingerprint", Text, nullable=False),
    Column("built_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
)

funnel_opportunities = Table(
    "funnel_opportunities",
    metadata,
    Column("opportunity_id", Text, primary_key=True),
    Column("branch", String(64), nullable=False, index=True),
    Column("account_id", Text, nullable=False),
    Column("owner_id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("stage", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # open | suspended | won | lost
    Column("amount", Numeric(18, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("stage_entered_at", DateTime(timezone=True), nullable=False),
    Column("stay_seq", Integer, nullable=False),
    Column("expected_close", Date, nullable=False),
    Column("lead_id", Text),
    Column("campaign_id", Text),
    Column("closed_at", DateTime(timezone=True)),
    Column("lost_reason", String(32)),
    Column("lost_stage", String(64)),
    Column("competitor", Text),
    Column("competitor_price", Numeric(18, 2)),
    Column("quotes", Integer, nullable=False),  # quote versions issued
)

# Quotas per month (opportunities context): the months of each quota after its adjustments.
quota_months = Table(
    "quota_months",
    metadata,
    Column("quota_id", Text, primary_key=True),
    Column("month", Integer, primary_key=True),  # 1..12
    Column("year", Integer, nullable=False),
    Column("dimension", String(16), nullable=False),  # branch | rep | product_line | channel
    Column("key", Text, nullable=False),
    Column("branch", String(64)),
    Column("amount", Numeric(18, 2), nullable=False),
)

# Every finished stay of an opportunity in a stage: the history conversion rates and stage
# durations are measured from (the current stay is the opportunity's stage and stage_entered_at).
opportunity_stays = Table(
    "opportunity_stays",
    metadata,
    Column("opportunity_id", Text, primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("branch", String(64), nullable=False, index=True),
    Column("stage", String(64), nullable=False),
    Column("entered_at", DateTime(timezone=True), nullable=False),
    Column("left_at", DateTime(timezone=True), nullable=False),
    Column("next_stage", String(64)),  # None: lost (or suspended) while in the stage
    Column("lost", Boolean, nullable=False),
)

# Who competes for each opportunity (tracked competitors), for win rates against each of them.
opportunity_competitors = Table(
    "opportunity_competitors",
    metadata,
    Column("opportunity_id", Text, primary_key=True),
    Column("competitor", Text, primary_key=True),
    Column("their_quote", Numeric(18, 2)),
)

# Every ticket of the service desk with its SLA outcome and the customer's verdict.
service_tickets = Table(
    "service_tickets",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("branch", String(64), nullable=False, index=True),
    Column("account_id", Text, nullable=False),
    Column("ticket_type", String(32), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("grade", String(1), nullable=False),
    Column("product", Text),
    Column(
        "status", String(16), nullable=False
    ),  # open | assigned | in_progress | resolved | closed
    Column("assignee", Text),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("deadline", DateTime(timezone=True), nullable=False),
    Column("first_resolved_at", DateTime(timezone=True)),
    Column("resolved_within_sla", Boolean),
    Column("resolutions", Integer, nullable=False),
    Column("reopened", Integer, nullable=False),
    Column("breached_at", DateTime(timezone=True)),
    Column("feedback_kind", String(16)),  # praise | complaint (the latest verdict)
    Column("feedback_score", Integer),
    Column("feedback_at", DateTime(timezone=True)),
    Column("feedback_agent", Text),  # who resolved what the customer judged
    Column("parts_amount", Numeric(18, 2), nullable=False),
    Column("charges_amount", Numeric(18, 2), nullable=False),
)

# Every lead with where it came from and where it is; every campaign with its budget and actuals.
leads = Table(
    "leads",
    metadata,
    Column("lead_id", Text, primary_key=True),
    Column("branch", String(64), nullable=False, index=True),
    Column("source", String(32), nullable=False),
    Column("campaign_id", Text, index=True),
    Column("company", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("assignee", Text),
    Column("captured_at", DateTime(timezone=True), nullable=False),
    Column("assigned_at", DateTime(timezone=True)),
    Column("first_follow_up_at", DateTime(timezone=True)),
    Column("overdue_since", DateTime(timezone=True)),
    Column("possible_duplicates", Integer, nullable=False),
    Column("converted_at", DateTime(timezone=True)),
    Column("account_id", Text),
    Column("opportunity_id", Text),
)

accounts = Table(
    "accounts",
    metadata,
    Column("account_id", Text, primary_key=True),
    Column("branch", String(64), nullable=False, index=True),
    Column("company", Text, nullable=False),
    Column("industry", Text, nullable=False),
    Column("size", String(16), nullable=False),
    Column("owner_id", Text, nullable=False),
    Column("grade", String(1)),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("interactions", Integer, nullable=False),
    Column("interaction_cost", Numeric(18, 2), nullable=False),
    Column("last_interaction_at", DateTime(timezone=True)),
    Column("growth_potential", Integer),  # a manager's 0-100 estimate while there is no history
)

activities = Table(
    "activities",
    metadata,
    Column("activity_id", Text, primary_key=True),  # the event's id
    Column("branch", String(64), nullable=False, index=True),
    Column("user_id", Text, nullable=False),
    Column("kind", String(16), nullable=False),  # visit | call | email | meeting | ...
    Column("account_id", Text),
    Column("lead_id", Text),
    Column("at", DateTime(timezone=True), nullable=False),
)

# The organisation tree's history: from `since` on, `branch` belongs to `region`.
branch_regions = Table(
    "branch_regions",
    metadata,
    Column("branch", String(64), primary_key=True),
    Column("since", DateTime(timezone=True), primary_key=True),
    Column("region", String(64), nullable=False),
)

campaigns = Table(
    "campaigns",
    metadata,
    Column("campaign_id", Text, primary_key=True),
    Column("branch", String(64), nullable=False, index=True),
    Column("campaign_type", String(32), nullable=False),
    Column("theme", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("budget", Numeric(18, 2), nullable=False),
    Column("actual_cost", Numeric(18, 2), nullable=False),
    Column("participants", Integer, nullable=False),
)

contracts = Table(
    "contracts",
    metadata,
    Column("contract_id", Text, primary_key=True),
    Column("branch", String(64), nullable=False, index=True),
    Column("account_id", Text, nullable=False, index=True),
    Column("owner_id", Text, nullable=False),
    Column("opportunity_id", Text),
    Column("campaign_id", Text),
    Column("currency", String(3), nullable=False),
    # draft | submitted | approved | signed | in_execution | suspended | completed | closed
    # | terminated
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False),  # 1 as signed, +1 per amendment
    Column("amount", Numeric(18, 2), nullable=False),
    Column("cost", Numeric(18, 2), nullable=False),  # sum of quantity x unit cost
    Column("collected", Numeric(18, 2), nullable=False),  # payments applied to instalments
    Column("credit", Numeric(18, 2), nullable=False),  # over-payment held for the customer
    Column("returned_value", Numeric(18, 2), nullable=False),
    Column("drafted_at", DateTime(timezone=True), nullable=False),
    Column("signed_at", DateTime(timezone=True)),
    Column("ended_at", DateTime(timezone=True)),  # completed or terminated
    Column("bad_debt_at", DateTime(timezone=True)),
    Column("line_ids", Text, nullable=False),  # the current lines, comma-separated
    Column("instalments", Integer, nullable=False),  # how many the current plan has
)

contract_lines = Table(
    "contract_lines",
    metadata,
    Column("contract_id", Text, primary_key=True),
    Column("line_id", Text, primary_key=True),
    Column("branch", String(64), nullable=False, index=True),
    Column("product", Text, nullable=False),
    Column("product_line", Text, nullable=False),
    Column("quantity", Numeric(18, 4), nullable=False),
    Column("unit_price", Numeric(18, 2), nullable=False),
    Column("unit_cost", Numeric(18, 2), nullable=False),
    Column("delivered", Numeric(18, 4), nullable=False),
    Column("returned", Numeric(18, 4), nullable=False),
    Column("returned_value", Numeric(18, 2), nullable=False),
)

contract_instalments = Table(
    "contract_instalments",
    metadata,
    Column("contract_id", Text, primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("branch", String(64), nullable=False, index=True),
    Column("account_id", Text, nullable=False),
    Column("due", Date, nullable=False),
    Column("amount", Numeric(18, 2), nullable=False),
    Column("paid", Numeric(18, 2), nullable=False),
    Column("last_paid_at", DateTime(timezone=True)),
    Column("overdue_at", DateTime(timezone=True)),  # InstalmentOverdue recorded
    Column("days_late", Integer),  # when an overdue instalment was settled
)

# Customer value and ABC grades (crm_projections.value): recomputed in batch, not from events.
customer_values = Table(
    "customer_values",
    metadata,
    Column("account_id", Text, primary_key=True),
    Column("branch", String(64), nullable=False, index=True),
    Column("company", Text, nullable=False),
    Column("revenue", Numeric(18, 2), nullable=False),
    Column("margin", Numeric(18, 2), nullable=False),
    Column("late_days", Integer, nullable=False),
    Column("instalments_due", Integer, nullable=False),
    Column("credit_factor", Float, nullable=False),
    Column("order_factor", Float, nullable=False),
    Column("margin_factor", Float, nullable=False),
    Column("score", Float, nullable=False),
    Column("growth_potential", Integer),  # the manager's estimate, the score of a new customer
    Column("rank", Integer, nullable=False),
    Column("grade", String(1), nullable=False),
    Column("lifecycle", String(16)),
    Column("relationship", String(16), nullable=False),
    Column("published_grade", String(1)),  # the last grade the leads context accepted
    Column("computed_at", DateTime(timezone=True), nullable=False),
)

# The weights and ratios of the value score, every change kept (the latest row applies).
value_settings = Table(
    "value_settings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("changed_by", Text, nullable=False),
    Column("credit_weight", Integer, nullable=False),
    Column("order_weight", Integer, nullable=False),
    Column("margin_weight", Integer, nullable=False),
    Column("a_percent", Integer, nullable=False),
    Column("b_percent", Integer, nullable=False),
)

# Every payment's allocations to instalments: collections and arrears as of any past moment.
contract_allocations = Table(
    "contract_allocations",
    metadata,
    Column("contract_id", Text, primary_key=True),
    Column("payment_id", Text, primary_key=True),
    Column("instalment", Integer, primary_key=True),
    Column("branch", String(64), nullable=False, index=True),
    Column("amount", Numeric(18, 2), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

REPORTING_VIEWS = """
create schema if not exists reporting;
create or replace view reporting.funnel as
    select branch, stage, count(*)::int as opportunities, sum(amount) as amount
    from projections.funnel_opportunities where status in ('open', 'won') group by branch, stage;
create or replace view reporting.opportunities as
    select opportunity_id, branch, account_id, owner_id, name, stage, status, amount, currency,
           opened_at, stage_entered_at, expected_close, lead_id, campaign_id, closed_at,
           lost_reason, lost_stage, competitor, competitor_price
    from projections.funnel_opportunities;
create or replace view reporting.lost_deals as
    select branch, lost_reason as reason, lost_stage as stage, competitor,
           count(*)::int as opportunities, sum(amount) as amount,
           avg(competitor_price) as average_competitor_price
    from projections.funnel_opportunities where status = 'lost'
    group by branch, lost_reason, lost_stage, competitor;
create or replace view reporting.competitor_results as
    with faced as (
        select o.branch, c.competitor, o.status, o.competitor as winner, o.amount,
               o.opportunity_id
        from projections.opportunity_competitors c
        join projections.funnel_opportunities o using (opportunity_id)
        where o.status in ('won', 'lost')
        union  -- a deal lost to a competitor it also tracked counts once
        select o.branch, o.competitor, o.status, o.competitor, o.amount, o.opportunity_id
        from projections.funnel_opportunities o
        where o.status = 'lost' and o.competitor is not null
    )
    select branch, competitor,
           count(*)::int as decided,
           count(*) filter (where status = 'won')::int as we_won,
           count(*) filter (where status = 'lost' and winner = competitor)::int as they_won,
           count(*) filter (where status = 'lost' and winner is distinct from competitor)::int
               as others_won,
           coalesce(sum(amount) filter (where status = 'won'), 0) as amount_we_won,
           coalesce(sum(amount) filter (where status = 'lost' and winner = competitor), 0)
               as amount_they_won
    from faced group by branch, competitor;
create or replace view reporting.service_tickets as
    select ticket_id, branch, account_id, ticket_type, channel, severity, grade, product, status,
           assignee, opened_at, deadline, first_resolved_at, resolved_within_sla, resolutions,
           reopened, breached_at, feedback_kind, feedback_score, feedback_at, feedback_agent,
           parts_amount, charges_amount
    from projections.service_tickets;
create or replace view reporting.service_quality as
    select branch,
           count(*)::int as tickets,
           count(*) filter (where ticket_type = 'complaint')::int as complaints,
           count(*) filter (where breached_at is not null)::int as sla_breaches,
           count(*) filter (where feedback_kind is not null)::int as feedback,
           count(*) filter (where feedback_kind = 'praise')::int as praise,
           avg(feedback_score) as average_score
    from projections.service_tickets group by branch;
create or replace view reporting.complaint_delays as
    select ticket_id, branch, account_id, grade, severity, opened_at, deadline,
           first_resolved_at,
           extract(epoch from (coalesce(first_resolved_at, now()) - deadline)) / 3600
               as hours_late
    from projections.service_tickets
    where ticket_type = 'complaint'
      and (breached_at is not null or coalesce(first_resolved_at, now()) > deadline);
create or replace view reporting.repair_statistics as
    select branch, coalesce(product, '') as product, severity, count(*)::int as repairs,
           avg(extract(epoch from (first_resolved_at - opened_at)) / 3600) as average_hours,
           sum(parts_amount) as parts_amount, sum(charges_amount) as charges_amount
    from projections.service_tickets where ticket_type = 'repair'
    group by branch, coalesce(product, ''), severity;
create or replace view reporting.leads as
    select lead_id, branch, source, campaign_id, company, status, assignee, captured_at,
           assigned_at, first_follow_up_at, overdue_since, possible_duplicates, converted_at,
           account_id, opportunity_id
    from projections.leads;
create or replace view reporting.overdue_leads as
    select lead_id, branch, company, assignee, assigned_at, overdue_since
    from projections.leads where overdue_since is not null and first_follow_up_at is null
      and status not in ('converted', 'disqualified', 'merged');
create or replace view reporting.accounts as
    select account_id, branch, company, industry, size, owner_id, grade, opened_at, interactions,
           interaction_cost, last_interaction_at, growth_potential
    from projections.accounts;
create or replace view reporting.neglected_customers as
    select account_id, branch, company, owner_id, grade, last_interaction_at,
           extract(day from now() - coalesce(last_interaction_at, opened_at))::int
               as days_without_contact
    from projections.accounts;
create or replace view reporting.campaign_effectiveness as
    with l as (
        select campaign_id, count(*)::int as leads,
               count(*) filter (where opportunity_id is not null)::int as opportunities
        from projections.leads where campaign_id is not null group by campaign_id
    ), o as (
        select campaign_id, count(*) filter (where status = 'won')::int as won,
               coalesce(sum(amount) filter (where status = 'won'), 0) as revenue
        from projections.funnel_opportunities where campaign_id is not null group by campaign_id
    )
    select c.campaign_id, c.branch, c.campaign_type, c.theme, c.status, c.starts_on, c.budget,
           c.actual_cost, c.participants,
           coalesce(l.leads, 0) as leads, coalesce(l.opportunities, 0) as opportunities,
           coalesce(o.won, 0) as won, coalesce(o.revenue, 0) as attributed_revenue,
           case when coalesce(l.leads, 0) > 0 then round(c.actual_cost / l.leads, 2) end
               as cost_per_lead,
           case when c.actual_cost > 0
                then round((coalesce(o.revenue, 0) - c.actual_cost) / c.actual_cost, 4) end as roi
    from projections.campaigns c
    left join l using (campaign_id) left join o using (campaign_id);
create or replace view reporting.stage_stays as
    select opportunity_id, branch, stage, entered_at, left_at, next_stage, lost
    from projections.opportunity_stays;
create or replace view reporting.contracts as
    select contract_id, branch, account_id, owner_id, opportunity_id, campaign_id, currency,
           status, version, amount, cost, amount - cost as margin, collected, credit,
           amount - collected as outstanding,
           case when amount > 0 then round(collected / amount, 4) end as percent_collected,
           returned_value, drafted_at, signed_at, ended_at, bad_debt_at
    from projections.contracts;
create or replace view reporting.contract_instalments as
    select i.contract_id, i.number, i.branch, i.account_id, i.due, i.amount, i.paid,
           i.amount - i.paid as open, i.last_paid_at, i.overdue_at, i.days_late,
           case when i.paid < i.amount and i.due < current_date
                then current_date - i.due else 0 end as days_overdue
    from projections.contract_instalments i
    join projections.contracts c using (contract_id)
    where c.status not in ('draft', 'submitted', 'approved', 'terminated');
create or replace view reporting.receivables as
    select c.branch, c.contract_id, c.account_id, c.amount, c.collected,
           c.amount - c.collected as outstanding,
           coalesce(sum(i.open) filter (where i.days_overdue > 0), 0) as overdue,
           coalesce(max(i.days_overdue), 0) as max_days_overdue,
           c.bad_debt_at is not null as bad_debt_risk
    from projections.contracts c
    left join reporting.contract_instalments i using (contract_id)
    where c.status in ('signed', 'in_execution', 'suspended', 'completed')
    group by c.branch, c.contract_id, c.account_id, c.amount, c.collected, c.bad_debt_at;
create or replace view reporting.product_sales as
    select c.branch, l.product, l.product_line, c.contract_id, c.account_id, c.signed_at,
           l.quantity, l.quantity * l.unit_price as revenue,
           l.quantity * (l.unit_price - l.unit_cost) as margin,
           l.returned, l.returned_value,
           l.returned * (l.unit_price - l.unit_cost) as returned_margin
    from projections.contract_lines l join projections.contracts c using (contract_id)
    where c.signed_at is not null;
create or replace view reporting.customer_values as
    select account_id, branch, company, revenue, margin, late_days, instalments_due,
           credit_factor, order_factor, margin_factor, score, growth_potential, rank, grade,
           lifecycle,
           relationship, published_grade, computed_at
    from projections.customer_values;
create or replace view reporting.branch_regions as
    select branch, region, since,
           lead(since) over (partition by branch order by since) as until
    from projections.branch_regions;
create or replace function reporting.region_at(b text, t timestamptz) returns text
    language sql stable as $$
        select region from projections.branch_regions where branch = b
        order by since <= t desc, case when since <= t then since end desc, since
        limit 1
    $$;
create or replace view reporting.quota_months as
    select quota_id, year, month, dimension, key, branch, amount from projections.quota_months;
create or replace view reporting.activities as
    select activity_id, branch, user_id, kind, account_id, lead_id, at
    from projections.activities;
create or replace view reporting.projection_progress as
    select projection, stream_id, version, applied_at from projections.stream_progress;
"""


async def create_all(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("select pg_advisory_xact_lock(hashtext('crm.ddl'))"))
        await conn.execute(text("create schema if not exists projections"))
        await conn.run_sync(metadata.create_all)
        await create_views(conn)


async def create_views(conn: AsyncConnection) -> None:
    """(Re)create the reporting views and functions; a rebuild's swap drops views with the old
    tables. Each view is dropped and created (a view's columns may have changed), in its own
    savepoint: a view over a table that a pending rebuild will reshape is skipped now, and made
    by that rebuild's own call."""
    for statement in REPORTING_VIEWS.split(";"):
        if not statement.strip():
            continue
        if (view := re.search(r"create or replace view (reporting\.\w+)", statement)) is not None:
            statement = statement.replace("create or replace view", "create view", 1)
        try:
            async with conn.begin_nested():
                if view is not None:
                    await conn.execute(text(f"drop view if exists {view.group(1)} cascade"))
                await conn.execute(text(statement))
        except DBAPIError as exc:
            log.warning("reporting: %s waits for a rebuild (%s)", view and view.group(1), exc.orig)
