"""The `funnel` read model: every opportunity's current stage, amount and branch.

`reporting.funnel` sums it per branch and stage; the gateway's funnel report and BI tools read that.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from crm_events import Envelope
from crm_events.opportunities import CONTEXT
from sqlalchemy import Table

from crm_projections.readmodel import Key, ReadModel, Rows
from crm_projections.tables import funnel_opportunities as t


def keys(e: Envelope) -> Iterable[tuple[Table, Key]]:
    return ((t, (e.data["opportunity_id"],)),)


def evolve(rows: Rows, e: Envelope) -> None:
    d = e.data
    key = (d["opportunity_id"],)
    if e.type == "OpportunityOpened":
        at = datetime.fromisoformat(d["opened_at"])
        rows.put(
            t,
            key,
            {
                "opportunity_id": d["opportunity_id"],
                "branch": d["branch"],
                "stage": d["stage"],
                "amount": Decimal(d["amount"]),
                "currency": d["currency"],
                "opened_at": at,
                "stage_entered_at": at,
            },
        )
    elif e.type == "OpportunityStageChanged" and (row := rows.get(t, key)) is not None:
        rows.put(
            t,
            key,
            {
                **row,
                "stage": d["to_stage"],
                "stage_entered_at": datetime.fromisoformat(d["changed_at"]),
            },
        )


MODEL = ReadModel(
    name="funnel",
    contexts=(CONTEXT,),
    tables=(t,),
    handles=frozenset({"OpportunityOpened", "OpportunityStageChanged"}),
    keys=keys,
    evolve=evolve,
)
