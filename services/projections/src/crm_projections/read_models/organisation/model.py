"""The `organisation` read model: when each branch was placed in which region (the tree's history).

Reports place a branch's facts in the region it belonged to when they happened
(`reporting.region_at(branch, at)`), or in its current region when asked
(`reporting.branch_regions` lists every placement).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from crm_events import Envelope
from crm_events.leads import CONTEXT
from sqlalchemy import Table

from crm_projections.read_models.organisation.tables import branch_regions as t
from crm_projections.readmodel import Key, ReadModel, Rows


def keys(e: Envelope) -> Iterable[tuple[Table, Key]]:
    return ((t, (e.data["branch"], datetime.fromisoformat(e.data["at"]))),)


def evolve(rows: Rows, e: Envelope) -> None:
    d = e.data
    since = datetime.fromisoformat(d["at"])
    rows.put(
        t, (d["branch"], since), {"branch": d["branch"], "since": since, "region": d["region"]}
    )


MODEL = ReadModel(
    name="organisation",
    contexts=(CONTEXT,),
    tables=(t,),
    handles=frozenset({"BranchPlaced"}),
    keys=keys,
    evolve=evolve,
)
