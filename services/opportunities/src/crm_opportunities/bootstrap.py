"""The composition root of the opportunities service: production and tests build it the same way."""

from __future__ import annotations

from dataclasses import dataclass

from crm_events.opportunities import CONTEXT
from crm_platform.eventstore.postgres import PostgresEventStore, open_pool
from crm_platform.settings import Settings


@dataclass
class Service:
    settings: Settings
    store: PostgresEventStore


async def bootstrap(settings: Settings) -> Service:
    pool = open_pool(settings.require_database(), name=CONTEXT)
    await pool.open()
    store = PostgresEventStore(pool, CONTEXT)
    await store.ensure_schema()
    return Service(settings, store)
