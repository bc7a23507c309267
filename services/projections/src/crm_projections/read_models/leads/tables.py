"""The tables of the `leads` read model (schema `projections`)."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Integer, Numeric, String, Table, Text

from crm_projections.readmodel import metadata

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
