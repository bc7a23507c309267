from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

from crm_events import (
    Envelope,
    Metadata,
    decode,
    envelope_from_json,
    envelope_to_json,
    from_data,
    registry,
    to_data,
)
from crm_events.opportunities import OpportunityOpened
from crm_events.registry import Registry
from hypothesis import given
from hypothesis import strategies as st

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1e12"), places=2)


@given(amount=money, name=st.text(max_size=50))
def test_events_round_trip_through_json_without_losing_a_cent(amount: Decimal, name: str) -> None:
    e = OpportunityOpened(
        "o",
        "a",
        name,
        amount,
        "CNY",
        date(2027, 1, 1),
        "SH01",
        "u",
        "prospecting",
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert from_data(OpportunityOpened, to_data(e)) == e
    assert isinstance(to_data(e)["amount"], str)


def test_an_envelope_survives_the_wire() -> None:
    env = Envelope(
        uuid4(),
        "OpportunityStageChanged",
        1,
        "opportunity-1",
        2,
        17,
        datetime.now(UTC),
        datetime.now(UTC),
        {
            "opportunity_id": "1",
            "from_stage": "bidding",
            "to_stage": "won",
            "changed_at": "2026-01-01T00:00:00+00:00",
        },
        Metadata("u", "sales_rep", "SH01", "c", "k"),
    )
    assert envelope_from_json(envelope_to_json(env)) == env
    assert decode(env).to_stage == "won"


def test_old_schema_versions_are_upcast_on_read() -> None:
    reg = Registry()

    class Renamed:
        def __init__(self, title: str) -> None:
            self.title = title

    import dataclasses

    Cls = dataclasses.make_dataclass("Cls", [("title", str)], frozen=True)
    reg.register(Cls, "Thing", 2)
    reg.upcaster("Thing", 1)(lambda d: {"title": d["name"]})
    assert reg.upcast("Thing", 1, {"name": "x"}) == {"title": "x"}
    assert reg.upcast("Thing", 2, {"title": "y"}) == {"title": "y"}


def test_every_event_type_is_registered_with_a_version() -> None:
    assert {"OpportunityOpened", "OpportunityStageChanged"} <= set(registry.names())
