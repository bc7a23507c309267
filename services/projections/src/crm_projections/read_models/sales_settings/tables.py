"""The tables of the `sales_settings` read model (schema `projections`)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, String, Table, Text

from crm_projections.readmodel import metadata

# The pipeline set for the company (scope `company`) and for each branch that overrides it; None
# falls back to the wider setting. The stages as JSON: [{"stage": ..., "probability": "40"}, ...]
sales_settings = Table(
    "sales_settings",
    metadata,
    Column("scope", String(64), primary_key=True),
    Column("pipeline", Text),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)
