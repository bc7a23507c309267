"""The `funnel` read model: every opportunity's current stage, amount and branch.

`reporting.funnel` sums it per branch and stage; the gateway's funnel report and BI tools read that.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from crm_events import Envelope
from crm_events.opportunities import CONTEXT
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_projections.tables import funnel_opportunities as t

NAME = "funnel"
CONTEXTS = (CONTEXT,)
HANDLES = frozenset({"OpportunityOpened", "OpportunityStageChanged"})


def evolve(row: dict[str, Any] | None, e: Envelope) -> dict[str, Any] | None:
    d = e.data
    if e.type == "OpportunityOpened":
        return {
            "opportunity_id": d["opportunity_id"],
            "branch": d["branch"],
            "stage": d["stage"],
            "amount": Decimal(d["amount"]),
            "currency": d["currency"],
            "opened_at": datetime.fromisoformat(d["opened_at"]),
            "stage_entered_at": datetime.fromisoformat(d["opened_at"]),
        }
    if e.type == "OpportunityStageChanged" and row is not None:
        return {
            **row,
            "stage": d["to_stage"],
            "stage_entered_at": datetime.fromisoformat(d["changed_at"]),
        }
    return row


async def apply(conn: AsyncConnection, events: Sequence[Envelope]) -> None:
    """Apply events (deduplicated, each stream in version order) with one read and one write."""
    ids = {e.data["opportunity_id"] for e in events}
    rows: dict[str, dict[str, Any] | None] = {
        r["opportunity_id"]: dict(r)
        for r in (await conn.execute(select(t).where(t.c.opportunity_id.in_(ids)))).mappings()
    }
    for e in events:
        key = e.data["opportunity_id"]
        rows[key] = evolve(rows.get(key), e)
    changed = [r for r in rows.values() if r is not None]
    if changed:
        stmt = insert(t)
        await conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[t.c.opportunity_id],
                set_={
                    c: stmt.excluded[c]
                    for c in (
                        "branch",
                        "stage",
                        "amount",
                        "currency",
                        "opened_at",
                        "stage_entered_at",
                    )
                },
            ),
            changed,
        )
