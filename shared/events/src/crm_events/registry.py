"""Every event type with its current schema version, and the upcasters that lift old versions.

Old versions are never rewritten in a store: they are upcast on read, one version step at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class UnknownEventType(LookupError):
    pass


class Registry:
    def __init__(self) -> None:
        self._classes: dict[str, type[Any]] = {}
        self._versions: dict[str, int] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}

    def register(self, cls: type[Any], name: str, version: int) -> None:
        if name in self._classes:
            raise ValueError(f"event type {name} is registered twice")
        self._classes[name] = cls
        self._versions[name] = version

    def upcaster(self, name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Register a function lifting `name` data from `from_version` to `from_version + 1`."""

        def decorate(fn: Upcaster) -> Upcaster:
            self._upcasters[(name, from_version)] = fn
            return fn

        return decorate

    def cls(self, name: str) -> type[Any]:
        try:
            return self._classes[name]
        except KeyError:
            raise UnknownEventType(name) from None

    def version(self, name: str) -> int:
        try:
            return self._versions[name]
        except KeyError:
            raise UnknownEventType(name) from None

    def upcast(self, name: str, schema_version: int, data: dict[str, Any]) -> dict[str, Any]:
        current = self.version(name)
        while schema_version < current:
            data = self._upcasters[(name, schema_version)](data)
            schema_version += 1
        return data

    def names(self) -> list[str]:
        return sorted(self._classes)


registry = Registry()


def event(name: str, version: int = 1) -> Callable[[type[T]], type[T]]:
    """Class decorator: register a frozen dataclass as the schema of event type `name`."""

    def decorate(cls: type[T]) -> type[T]:
        registry.register(cls, name, version)
        cls.event_type = name  # type: ignore[attr-defined]
        return cls

    return decorate
