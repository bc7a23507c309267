"""Every read model reads an event stored in an older schema version like a current one: both the
incremental path (the projector upcasts what it applies) and the rebuild (its fold upcasts what it
reads) lift the data through the event registry before evolve.

Each read model's first event type gets a version 2 in a registry of its own (the shared one is
untouched): in version 1 its id field had another name, and an upcaster renames it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from crm_events import Envelope, Metadata, to_data
from crm_events.contracts import ContractDrafted, ContractLine
from crm_events.leads import BranchPlaced, LeadCaptured
from crm_events.opportunities import (
    OpportunityOpened,
    PipelineStage,
    QuotaSet,
    SalesSettingsChanged,
)
from crm_events.registry import Registry, registry
from crm_events.service_desk import TicketOpened
from crm_projections.readmodel import ReadModel, Rows, upcast
from crm_projections.rebuild import fold
from crm_projections.registry import READ_MODELS

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
META = Metadata("rep", "sales_rep", "SH01", "c")

# per read model: an event it handles, and the field that version 1 called `legacy_<field>`
FIRST: dict[str, tuple[Any, str]] = {
    "funnel": (
        OpportunityOpened(
            "o1",
            "a1",
            "Pumps",
            Decimal("1200.50"),
            "CNY",
            date(2026, 6, 30),
            "SH01",
            "alice",
            "prospecting",
            T0,
        ),
        "opportunity_id",
    ),
    "leads": (
        LeadCaptured(
            "l1", "SH01", "referral", None, "Huadong", "Li", None, None, (), (), "alice", T0
        ),
        "lead_id",
    ),
    "service": (
        TicketOpened(
            "t1",
            "a1",
            "SH01",
            "repair",
            "phone",
            "normal",
            "Pump",
            "Leaks",
            "B",
            Decimal(24),
            T0,
            T0,
            "agent",
            T0,
        ),
        "ticket_id",
    ),
    "contracts": (
        ContractDrafted(
            "c1",
            "a1",
            "SH01",
            "alice",
            "CNY",
            (ContractLine("l1", "P-1", "pumps", Decimal(2), Decimal(100), Decimal(60)),),
            Decimal(200),
            "net30",
            None,
            None,
            T0,
        ),
        "contract_id",
    ),
    "quotas": (
        QuotaSet(
            "q1", 2026, "branch", "SH01", "SH01", Decimal(1200), (Decimal(100),) * 12, "even", T0
        ),
        "quota_id",
    ),
    "organisation": (BranchPlaced("SH01", "East", None, "admin", T0), "branch"),
    "sales_settings": (
        SalesSettingsChanged("SH01", (PipelineStage("won", Decimal(100)),), None, T0),
        "scope",
    ),
}


def with_version_2(event_type: str, field: str) -> Registry:
    """The shared registry's types, but `event_type` at version 2, upcast from version 1."""
    events = Registry()
    for name in registry.names():
        bumped = registry.version(name) + (name == event_type)
        events.register(registry.cls(name), name, bumped)

    @events.upcaster(event_type, registry.version(event_type))
    def rename(data: dict[str, Any]) -> dict[str, Any]:
        return {field if k == f"legacy_{field}" else k: v for k, v in data.items()}

    return events


def envelope(event: Any, version: int, data: dict[str, Any]) -> Envelope:
    return Envelope(uuid4(), type(event).event_type, version, "s-1", 1, 1, T0, T0, data, META)


def both_versions(model: ReadModel) -> tuple[Registry, Envelope, Envelope]:
    event, field = FIRST[model.name]
    assert type(event).event_type in model.handles
    events = with_version_2(type(event).event_type, field)
    current = to_data(event)
    legacy = {f"legacy_{k}" if k == field else k: v for k, v in current.items()}
    old = registry.version(type(event).event_type)
    return events, envelope(event, old + 1, current), envelope(event, old, legacy)


def incremental(model: ReadModel, e: Envelope, events: Registry) -> Rows:
    """As the projector applies a batch: upcast, the rows it touches, evolve."""
    lifted = upcast(e, events)
    assert list(model.keys(lifted))
    rows = Rows()
    model.evolve(rows, lifted)
    return rows


class History:
    """A store that holds one context's history (what `fold` reads)."""

    def __init__(self, events: Sequence[Envelope]) -> None:
        self.events = events

    async def history(self, types: Any, upto: int, part: Any) -> AsyncIterator[list[Envelope]]:
        yield list(self.events)


async def rebuilt(model: ReadModel, e: Envelope, events: Registry) -> Rows:
    store: Any = History([e])
    rows, seen = await fold(
        {model.contexts[0]: store}, model, {model.contexts[0]: 1}, events=events
    )
    assert seen == 1
    return rows


def test_every_read_model_has_an_event_of_both_versions() -> None:
    assert {m.name for m in READ_MODELS} == set(FIRST)


@pytest.mark.parametrize("model", READ_MODELS, ids=[m.name for m in READ_MODELS])
def test_the_incremental_path_reads_version_1_like_version_2(model: ReadModel) -> None:
    events, new, old = both_versions(model)
    with pytest.raises((KeyError, TypeError)):  # without the upcast, version 1 is unreadable
        model.evolve(Rows(), old)
    assert incremental(model, old, events).known == incremental(model, new, events).known
    assert incremental(model, new, events).known  # it wrote something


@pytest.mark.parametrize("model", READ_MODELS, ids=[m.name for m in READ_MODELS])
async def test_the_rebuild_reads_version_1_like_version_2(model: ReadModel) -> None:
    events, new, old = both_versions(model)
    from_old, from_new = await rebuilt(model, old, events), await rebuilt(model, new, events)
    assert from_old.known == from_new.known == incremental(model, new, events).known


def test_an_upcast_envelope_carries_the_current_version_and_a_current_one_is_untouched() -> None:
    events, new, old = both_versions(READ_MODELS[0])
    assert upcast(new, events) is new
    assert upcast(old, events).schema_version == new.schema_version
    assert upcast(old, events).data == new.data
