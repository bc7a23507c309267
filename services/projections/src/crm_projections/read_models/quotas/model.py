"""The `quotas` read model: every quota's twelve months, as set and adjusted.

Views: `reporting.quota_months`; the regional rollups compare won revenue with the branch quotas
(month, quarter and year to date).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from crm_events import Envelope
from crm_events.opportunities import CONTEXT
from sqlalchemy import Table

from crm_projections.read_models.quotas.tables import quota_months as t
from crm_projections.readmodel import Key, ReadModel, Rows


def keys(e: Envelope) -> Iterable[tuple[Table, Key]]:
    return ((t, (e.data["quota_id"], m)) for m in range(1, 13))


def evolve(rows: Rows, e: Envelope) -> None:
    d = e.data
    for month, amount in enumerate(d["months"], 1):
        key = (d["quota_id"], month)
        if e.type == "QuotaSet":
            row = {
                "quota_id": d["quota_id"],
                "month": month,
                "year": d["year"],
                "dimension": d["dimension"],
                "key": d["key"],
                "branch": d.get("branch"),
            }
        elif (found := rows.get(t, key)) is not None:
            row = found
        else:
            continue
        rows.put(t, key, {**row, "amount": Decimal(amount)})


MODEL = ReadModel(
    name="quotas",
    contexts=(CONTEXT,),
    tables=(t,),
    handles=frozenset({"QuotaSet", "QuotaAdjusted"}),
    keys=keys,
    evolve=evolve,
)
