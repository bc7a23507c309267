"""The tables of the `organisation` read model (schema `projections`)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, String, Table

from crm_projections.readmodel import metadata

# The organisation tree's history: from `since` on, `branch` belongs to `region`.
branch_regions = Table(
    "branch_regions",
    metadata,
    Column("branch", String(64), primary_key=True),
    Column("since", DateTime(timezone=True), primary_key=True),
    Column("region", String(64), nullable=False),
)
