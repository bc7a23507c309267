"""The demo data: a living history, loaded idempotently."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import psycopg
from crm_api import leads as api
from crm_cli import demo
from crm_cli.demo.leads import SPECS
from crm_platform.auth import Actor
from crm_platform.commands import Request, perform
from crm_platform.eventstore import open_store
from crm_platform.local import ensure_database
from crm_platform.settings import Settings


def counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select type, count(*) from opportunities.events group by type"
            " union all select type, count(*) from leads.events group by type"
            " union all select type, count(*) from contracts.events group by type"
            ' union all select type, count(*) from "service-desk".events group by type'
        ).fetchall()
    return {t: n for t, n in rows}


async def test_the_demo_has_every_outcome_and_loads_only_once(pg_admin_url: str) -> None:
    url = ensure_database(pg_admin_url, f"demo_{uuid4().hex[:8]}")
    first = await demo.load(url)
    loaded = counts(url)
    assert loaded["OpportunityOpened"] == 25 * len(demo.BRANCHES)
    for kind in (
        "OpportunityWon",
        "OpportunityLost",
        "OpportunitySuspended",
        "OpportunityStageChanged",
        "OpportunityQuoteAdded",
        "QuotaSet",
    ):
        assert loaded.get(kind, 0) > 0, kind
    with psycopg.connect(url) as conn:
        spread = conn.execute(
            "select max(occurred_at) - min(occurred_at) from opportunities.events"
        ).fetchone()
    assert spread is not None and spread[0].days > 180  # a history, not one moment
    assert first > 0
    assert await demo.load(url) == 0 and counts(url) == loaded


async def test_a_start_after_users_changed_demo_records_does_not_replay_the_script(
    pg_admin_url: str,
) -> None:
    """`make run` again after an ordinary reassignment: the demo is not replayed against it."""
    url = ensure_database(pg_admin_url, f"demo_{uuid4().hex[:8]}")
    await demo.load(url)
    store = await open_store(Settings(database_url=url), "leads", connections=1)
    try:  # a rep of SH01 leaves: the manager moves everything they hold to a successor
        manager = Actor("sh01-manager", "branch_manager", "SH01")
        await perform(
            SPECS[api.TRANSFER_OWNER],
            "leads",
            Request(manager, "user-change", datetime.now(UTC)),
            store,
            Settings(),
            body=api.OwnerTransfer(
                from_user="sh01-rep-1",
                to_user="sh01-rep-9",
                reason="leaves the company",
                branch=None,
            ),
        )
    finally:
        await store.close()
    before = counts(url)
    assert await demo.load(url) == 0
    assert counts(url) == before
