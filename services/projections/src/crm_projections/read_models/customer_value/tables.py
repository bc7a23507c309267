"""The tables of the `customer_value` read model (schema `projections`)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Float, Integer, Numeric, String, Table, Text, text

from crm_projections.readmodel import metadata

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
