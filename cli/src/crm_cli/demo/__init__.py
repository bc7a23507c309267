"""Demo data: a living company for a newcomer to look at, loaded once and idempotently.

Six branches in three regions, their reps, managers and marketers, quotas, campaigns in every
state with their costs, some 300 leads in every state (their conversions open accounts, and the
opportunities context opens their deals when the system runs), opportunities in every stage and
outcome, and the contracts of the won ones with their instalments, payments and arrears, all with
a year of history. It runs the contexts' own application functions (the code path
of the API, without HTTP) with backdated request times, so stage durations, conversion rates and
the forecast have something to measure. Every command carries an idempotency key derived from the
seed and its place in the script, so a load cut short finishes where it stopped; a finished load
is recorded and never run again, whatever users changed since. `crm run` loads it when the
database is new (`CRM_DEMO=0` switches it off).
"""

from __future__ import annotations

import asyncio
import random
from datetime import date

from crm_platform.eventstore import EventStore, open_store
from crm_platform.eventstore.postgres import open_pool
from crm_platform.settings import Settings

from crm_cli.demo.contracts import contracts
from crm_cli.demo.leads import accounts, campaigns_and_leads, organisation
from crm_cli.demo.opportunities import opportunities, quotas, sales_settings
from crm_cli.demo.script import (
    BRANCHES,
    COMPANIES,
    COMPETITORS,
    DEMO_NOW,
    PRODUCTS,
    REGIONS,
    Loader,
)
from crm_cli.demo.service_desk import tickets

# that stopped half-way is finished by the next start: its commands replay by idempotency key.
LOADS = """create table if not exists crm_demo_loads (
    seed integer primary key, loaded_at timestamptz not null default now())"""


async def load(database_url: str, seed: int = 42) -> int:
    """Load the demo data; returns the number of commands run (replays included), 0 when the
    database holds a finished load already."""
    settings = Settings(database_url=database_url)
    stores: dict[str, EventStore] = {}
    for context in ("leads", "opportunities", "contracts", "service-desk"):
        stores[context] = await open_store(settings, context, connections=2)
    loader = Loader(stores, seed, settings, now=DEMO_NOW)
    rng = random.Random(seed)
    marks = open_pool(database_url, max_size=1, name="demo-loads")
    await marks.open()
    try:
        async with marks.connection() as conn:
            await conn.execute(LOADS)
            done = await conn.execute("select 1 from crm_demo_loads where seed = %s", (seed,))
            if await done.fetchone():
                return 0  # loaded before: what users changed since is theirs, never replayed
        await organisation(loader)
        customers = await accounts(loader)
        await quotas(loader)
        await sales_settings(loader)
        await opportunities(loader, rng, customers)
        await campaigns_and_leads(loader, rng)
        await contracts(loader, rng)
        await tickets(loader, rng, customers)
        async with marks.connection() as conn:
            await conn.execute("insert into crm_demo_loads (seed) values (%s)", (seed,))
    finally:
        for store in stores.values():
            await store.close()
        await marks.close()
    return loader.done


def run(database_url: str, seed: int = 42) -> int:
    return asyncio.run(load(database_url, seed))


__all__ = [
    "BRANCHES",
    "COMPANIES",
    "COMPETITORS",
    "DEMO_NOW",
    "PRODUCTS",
    "REGIONS",
    "date",
    "load",
    "run",
]
