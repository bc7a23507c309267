"""Read-model tables (schema `projections`) and the stable views BI tools read (schema `reporting`)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

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

funnel_opportunities = Table(
    "funnel_opportunities",
    metadata,
    Column("opportunity_id", Text, primary_key=True),
    Column("branch", String(64), nullable=False, index=True),
    Column("stage", String(64), nullable=False),
    Column("amount", Numeric(18, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("stage_entered_at", DateTime(timezone=True), nullable=False),
)

REPORTING_VIEWS = """
create schema if not exists reporting;
create or replace view reporting.funnel as
    select branch, stage, count(*)::int as opportunities, sum(amount) as amount
    from projections.funnel_opportunities group by branch, stage;
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
    """(Re)create the reporting views; a rebuild's swap drops them with the old tables."""
    for statement in REPORTING_VIEWS.split(";"):
        if statement.strip():
            await conn.execute(text(statement))
