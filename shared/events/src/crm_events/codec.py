"""Event dataclasses <-> JSON-ready dicts <-> bytes.

Money is `Decimal` and travels as a string ("1250.00"), never as a float; dates and times as ISO 8601.
Field converters are worked out once per class from its type hints, so decoding stays cheap.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any
from uuid import UUID

import orjson

from crm_events.envelope import Envelope, Metadata
from crm_events.registry import Registry, registry

Convert = Callable[[Any], Any]
T = typing.TypeVar("T")


def _identity(value: Any) -> Any:
    return value


def _decoder(tp: Any) -> Convert:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        one = _decoder(inner[0])
        return lambda v: None if v is None else one(v)
    if origin in (tuple, list):
        item = _decoder(typing.get_args(tp)[0])
        return lambda v: tuple(item(x) for x in v)
    if origin is dict:
        return dict
    if tp is Decimal:
        return Decimal
    if tp is datetime:
        return datetime.fromisoformat
    if tp is date:
        return date.fromisoformat
    if tp is UUID:
        return UUID
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp
    if dataclasses.is_dataclass(tp):
        return lambda v: from_data(tp, v)  # type: ignore[arg-type]
    return _identity


@cache
def _field_decoders(cls: type[Any]) -> tuple[tuple[str, Convert], ...]:
    hints = typing.get_type_hints(cls)
    return tuple((f.name, _decoder(hints[f.name])) for f in dataclasses.fields(cls))


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_data(value)
    return value


def to_data(event: Any) -> dict[str, Any]:
    """A dataclass event as a JSON-ready dict."""
    return {f.name: _encode(getattr(event, f.name)) for f in dataclasses.fields(event)}


def from_data(cls: type[T], data: dict[str, Any]) -> T:
    """Build `cls` from a JSON-ready dict; unknown keys (added by newer writers) are ignored."""
    fields = _field_decoders(cls)  # type: ignore[arg-type]  # classes are hashable
    return cls(**{name: conv(data[name]) for name, conv in fields if name in data})


def decode(envelope: Envelope, reg: Registry = registry) -> Any:
    """The typed domain event inside an envelope, upcast to the current schema version."""
    data = reg.upcast(envelope.type, envelope.schema_version, envelope.data)
    return from_data(reg.cls(envelope.type), data)


def envelope_to_json(e: Envelope) -> bytes:
    """The wire form published to Kafka: the whole envelope as one JSON object."""
    return orjson.dumps(
        {
            "event_id": str(e.event_id),
            "type": e.type,
            "schema_version": e.schema_version,
            "stream_id": e.stream_id,
            "version": e.version,
            "position": e.position,
            "occurred_at": e.occurred_at.isoformat(),
            "recorded_at": e.recorded_at.isoformat(),
            "data": e.data,
            "metadata": e.metadata._asdict(),
        }
    )


def envelope_from_json(raw: bytes | str) -> Envelope:
    d = orjson.loads(raw)
    return Envelope(
        event_id=UUID(d["event_id"]),
        type=d["type"],
        schema_version=d["schema_version"],
        stream_id=d["stream_id"],
        version=d["version"],
        position=d["position"],
        occurred_at=datetime.fromisoformat(d["occurred_at"]),
        recorded_at=datetime.fromisoformat(d["recorded_at"]),
        data=d["data"],
        metadata=Metadata(**d["metadata"]),
    )
