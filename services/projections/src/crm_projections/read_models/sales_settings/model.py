"""The `sales_settings` read model: the pipeline of the company and of each branch that sets its
own, as the opportunities context configured them (streams `sales-settings-<scope>`).

The forecast and the funnel report read a branch's pipeline through `pipelines.resolve`: its
own, else the company's, else the defaults (the rule of the opportunities context).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from crm_events import Envelope, from_data
from crm_events.opportunities import CONTEXT, SalesSettingsChanged
from sqlalchemy import Table

from crm_projections.read_models.sales_settings.tables import sales_settings as t
from crm_projections.readmodel import Key, ReadModel, Rows


def keys(e: Envelope) -> Iterable[tuple[Table, Key]]:
    return ((t, (e.data["scope"],)),)


def evolve(rows: Rows, e: Envelope) -> None:
    changed = from_data(SalesSettingsChanged, e.data)  # few and small: typed reads best
    stages = (
        None
        if changed.pipeline is None
        else json.dumps(
            [{"stage": s.stage, "probability": str(s.probability)} for s in changed.pipeline]
        )
    )
    rows.put(
        t,
        (changed.scope,),
        {"scope": changed.scope, "pipeline": stages, "changed_at": changed.at},
    )


MODEL = ReadModel(
    name="sales_settings",
    contexts=(CONTEXT,),
    tables=(t,),
    handles=frozenset({"SalesSettingsChanged"}),
    keys=keys,
    evolve=evolve,
)
