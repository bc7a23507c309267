"""docs/asyncapi.json is generated from the event schemas and must never drift from them."""

from pathlib import Path

import orjson
from crm_cli.asyncapi import document
from crm_events import registry

DOC = Path(__file__).parents[2] / "docs" / "asyncapi.json"


def test_the_committed_document_is_current() -> None:
    committed = orjson.loads(DOC.read_bytes())
    assert committed == document(), "stale: run `.venv/bin/crm docs` and commit docs/asyncapi.json"


def test_every_event_type_is_documented_on_its_topic() -> None:
    doc = document()
    assert set(doc["components"]["messages"]) == set(registry.names())
    addresses = {c["address"] for c in doc["channels"].values()}
    assert addresses == {
        f"crm.{c}.events" for c in ("leads", "opportunities", "contracts", "service-desk")
    }
