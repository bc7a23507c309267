"""The EventStoreDB backend's pure mapping (the contract itself runs against a server)."""

from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

from crm_events import Metadata, NewEvent
from crm_platform.eventstore.esdb import envelope, esdb_event, key_stream
from esdbclient import RecordedEvent

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def test_an_event_round_trips_through_esdb_records() -> None:
    new = NewEvent(
        uuid4(),
        "OpportunityOpened",
        2,
        AT,
        {"amount": str(Decimal("10.50"))},
        Metadata("alice", "sales_rep", "SH01", "corr", "cause"),
    )
    sent = esdb_event(new)
    assert sent.id == new.event_id and sent.type == "OpportunityOpened"
    recorded = RecordedEvent(
        type=sent.type,
        data=sent.data,
        metadata=sent.metadata,
        content_type="application/json",
        id=sent.id,
        stream_name="opportunities.opportunity-1",
        stream_position=4,
        commit_position=987,
        prepare_position=987,
        recorded_at=AT,
    )
    e = envelope(recorded, "opportunities.")
    assert (e.stream_id, e.version, e.position) == ("opportunity-1", 5, 987)
    assert (e.event_id, e.type, e.schema_version, e.occurred_at) == (new.event_id, new.type, 2, AT)
    assert e.data == new.data and e.metadata == new.metadata and e.recorded_at == AT


def test_idempotency_keys_get_their_own_fixed_length_streams() -> None:
    a, b = key_stream("alice|open|1"), key_stream("alice|open|2")
    assert a != b and a.startswith("crm-idempotency.") and len(a) == len(b)
    assert key_stream("alice|open|1") == a
