"""The tables of the `service` read model (schema `projections`)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Integer, Numeric, String, Table, Text

from crm_projections.readmodel import metadata

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
