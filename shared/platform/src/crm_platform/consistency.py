"""Read-your-writes: the token a command returns and a query may wait for.

A token names the context, the stream and the version its command produced:
`opportunities:opportunity-6f1c…:3`. A read model has caught up with it once it has applied that
stream up to that version.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ConsistencyToken:
    context: str
    stream_id: str
    version: int

    def __str__(self) -> str:
        return f"{self.context}:{self.stream_id}:{self.version}"

    @classmethod
    def parse(cls, raw: str) -> ConsistencyToken:
        parts = raw.split(":")
        if len(parts) != 3 or not parts[0] or not parts[1] or not parts[2].isdigit():
            raise ValueError("a consistency token looks like context:stream:version")
        return cls(parts[0], parts[1], int(parts[2]))
