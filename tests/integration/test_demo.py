"""The demo data: a living history, loaded idempotently."""

from __future__ import annotations

from uuid import uuid4

import psycopg
from crm_cli import demo
from crm_platform.local import ensure_database


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
    again = await demo.load(url)
    assert again == first and counts(url) == loaded
