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


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_every_reference_resolves_from_the_document_root() -> None:
    doc = document()
    refs = _refs(doc)
    assert any(r.startswith("#/components/schemas/") for r in refs)
    for ref in refs:
        node: object = doc
        for part in ref.removeprefix("#/").split("/"):
            assert isinstance(node, dict) and part in node, f"{ref} does not resolve"
            node = node[part]


def test_every_message_documents_the_headers_the_relay_sets() -> None:
    for name, message in document()["components"]["messages"].items():
        headers = message["headers"]
        assert headers["required"] == ["type", "content-type"]
        assert headers["properties"]["type"]["const"] == name
