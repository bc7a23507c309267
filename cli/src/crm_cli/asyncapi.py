"""The AsyncAPI document of the CRM's Kafka topics, generated from the event registry.

Any Kafka client can read the topics with it: one channel per context (`crm.<context>.events`,
key = stream id), one message per event type, its payload the envelope with that type's `data`
schema. Generated rather than written by hand so it can never drift from the code: `crm docs`
writes docs/asyncapi.json and a unit test fails when the committed file is stale; the contract
tests parse it with the official AsyncAPI parser.

Models shared by several events (a contract line, an instalment ...) are written once under
components/schemas and referred to from there, so every `$ref` resolves from the document root.
"""

from __future__ import annotations

import importlib
from typing import Any

from crm_events import registry
from pydantic import TypeAdapter

ASYNCAPI_VERSION = "3.1.0"
CONTEXTS = ("leads", "opportunities", "contracts", "service-desk")

_METADATA = {
    "type": "object",
    "description": "Who did it and why",
    "properties": {
        "actor_id": {"type": "string"},
        "role": {"type": "string"},
        "branch": {"type": "string"},
        "correlation_id": {"type": "string", "description": "the request that caused it"},
        "causation_id": {
            "type": ["string", "null"],
            "description": "the command or event that caused it",
        },
    },
    "required": ["actor_id", "role", "branch", "correlation_id"],
}


def _envelope(name: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "event_id": {"type": "string", "format": "uuid"},
            "type": {"const": name},
            "schema_version": {"const": registry.version(name)},
            "stream_id": {"type": "string", "description": "the record, e.g. opportunity-<uuid>"},
            "version": {"type": "integer", "minimum": 1, "description": "position in its stream"},
            "position": {"type": "integer", "description": "global position in its context"},
            "occurred_at": {"type": "string", "format": "date-time"},
            "recorded_at": {"type": "string", "format": "date-time"},
            "data": data,
            "metadata": _METADATA,
        },
        "required": [
            "event_id",
            "type",
            "schema_version",
            "stream_id",
            "version",
            "position",
            "occurred_at",
            "recorded_at",
            "data",
            "metadata",
        ],
    }


_REF = "#/components/schemas/{model}"


def _headers(name: str) -> dict[str, Any]:
    """The Kafka record headers the relay sets on every event."""
    return {
        "type": "object",
        "properties": {
            "type": {"const": name, "description": "the event type, as in the envelope"},
            "content-type": {"const": "application/json", "description": "the value's encoding"},
        },
        "required": ["type", "content-type"],
    }


def _data_schema(name: str, schemas: dict[str, Any]) -> dict[str, Any]:
    """The schema of an event's `data`; its nested models go to `schemas`, once each."""
    schema = TypeAdapter(registry.cls(name)).json_schema(mode="serialization", ref_template=_REF)
    for model, definition in schema.pop("$defs", {}).items():
        if schemas.setdefault(model, definition) != definition:
            raise ValueError(f"two different models are called {model}: rename one")
    return schema


def document() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for context in CONTEXTS:
        module = importlib.import_module(f"crm_events.{context.replace('-', '_')}")
        names = sorted(n for n in registry.names() if registry.cls(n).__module__ == module.__name__)
        channel = f"{context.replace('-', '_')}_events"
        for name in names:
            schema = _data_schema(name, schemas)
            messages[name] = {
                "name": name,
                "title": name,
                "summary": (registry.cls(name).__doc__ or name).strip().splitlines()[0],
                "contentType": "application/json",
                "headers": _headers(name),
                "bindings": {"kafka": {"key": {"type": "string", "description": "stream id"}}},
                "payload": _envelope(name, schema),
            }
        channels[channel] = {
            "address": f"crm.{context}.events",
            "description": f"Every event of the {context} context, in commit order per stream.",
            "messages": {n: {"$ref": f"#/components/messages/{n}"} for n in names},
        }
        operations[f"receive_{channel}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{channel}"},
        }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "CRM domain events",
            "version": "1",
            "description": "Published by each context's relay, at least once; consumers skip "
            "a (stream_id, version) they have already applied.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": dict(sorted(schemas.items()))},
    }
