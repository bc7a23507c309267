"""Creating the schemas: every read model's tables (schema `projections`) and the stable views BI
tools read (schema `reporting`), from the registry."""

from __future__ import annotations

import logging
import re

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from crm_projections.progress import read_model_versions, store_checkpoints, stream_progress
from crm_projections.readmodel import metadata
from crm_projections.registry import BATCH_TABLES, READ_MODELS, VIEWS

log = logging.getLogger("crm.projections.tables")

TABLES = (
    stream_progress,
    store_checkpoints,
    read_model_versions,
    *(t for m in READ_MODELS for t in m.tables),
    *BATCH_TABLES,
)


async def create_all(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("select pg_advisory_xact_lock(hashtext('crm.ddl'))"))
        await conn.execute(text("create schema if not exists projections"))
        await conn.run_sync(metadata.create_all, tables=TABLES)
        await create_views(conn)


async def create_views(conn: AsyncConnection) -> None:
    """(Re)create the reporting views and functions; a rebuild's swap drops views with the old
    tables. Each view is dropped and created (a view's columns may have changed), in its own
    savepoint: a view over a table that a pending rebuild will reshape is skipped now, and made
    by that rebuild's own call."""
    for statement in ";".join(VIEWS).split(";"):
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
