"""The sales settings read model keeps each scope's pipeline as the opportunities context set it."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

from crm_events import Envelope, Metadata, to_data
from crm_events.opportunities import PipelineStage, SalesSettingsChanged
from crm_projections.read_models.sales_settings import model
from crm_projections.read_models.sales_settings.pipelines import from_json
from crm_projections.read_models.sales_settings.tables import sales_settings
from crm_projections.readmodel import Rows

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
STAGES = (PipelineStage("bidding", Decimal("40")), PipelineStage("won", Decimal(100)))


def envelope(e: SalesSettingsChanged, seq: int = 1) -> Envelope:
    meta = Metadata("admin", "admin", "HQ", "c")
    return Envelope(uuid4(), "SalesSettingsChanged", 1, "s", seq, seq, T0, T0, to_data(e), meta)


def test_the_latest_change_of_a_scope_is_its_row() -> None:
    rows = Rows()
    model.evolve(rows, envelope(SalesSettingsChanged("GZ01", STAGES, None, T0)))
    row = rows.get(sales_settings, ("GZ01",))
    assert row is not None and row["pipeline"] is not None
    assert from_json(row["pipeline"]) == STAGES
    model.evolve(rows, envelope(SalesSettingsChanged("GZ01", None, Decimal(5), T0), 2))
    assert rows.get(sales_settings, ("GZ01",)) == {
        "scope": "GZ01",
        "pipeline": None,
        "changed_at": T0,
    }


def test_a_change_touches_its_scopes_row() -> None:
    e = envelope(SalesSettingsChanged("company", STAGES, None, T0))
    assert list(model.keys(e)) == [(sales_settings, ("company",))]
