"""The read models' database and the event stores they read (for catch-up, gaps and rebuilds)."""

from __future__ import annotations

from crm_platform.eventstore import EventStore, open_store
from crm_platform.settings import Settings
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from crm_projections.readmodel import ReadModel


def engine_for(url: str) -> AsyncEngine:
    return create_async_engine(
        url.replace("postgresql://", "postgresql+psycopg://", 1), pool_size=5, max_overflow=5
    )


async def open_stores(url: str, models: tuple[ReadModel, ...]) -> dict[str, EventStore]:
    """The event stores of every context the read models follow (read for catch-up and gaps), on
    the configured backend; `url` is the database the stores live in when it is PostgreSQL."""
    settings = Settings(database_url=url)
    return {
        context: await open_store(settings, context, connections=4)
        for context in sorted({c for m in models for c in m.contexts})
    }
