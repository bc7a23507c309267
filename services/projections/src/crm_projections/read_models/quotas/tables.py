"""The tables of the `quotas` read model (schema `projections`)."""

from __future__ import annotations

from sqlalchemy import Column, Integer, Numeric, String, Table, Text

from crm_projections.readmodel import metadata

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
