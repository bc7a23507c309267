"""An idempotency key names one request: sent again with another body it is refused, not replayed.

The event store keeps, per key, the result of the append it made, and a repeated key returns that
result. On its own that answers a retry that changed its body with the first answer, silently. As
payment APIs do, each service also keeps what the key was first accepted for: a fingerprint of the
method, the path and the body (JSON compared by value, not by spelling). The same key with another
fingerprint is a 422 naming `Idempotency-Key`, and the first answer stays as it was.

A key is bound only once its request has been accepted: a request refused by validation or by a
rule binds nothing, so the caller may correct it and send it again under the same key.
"""

from __future__ import annotations

import hashlib

import orjson
from psycopg import sql
from psycopg_pool import AsyncConnectionPool

from crm_platform.eventstore.postgres import ensure_tables
from crm_platform.http import Problem

DDL = """create schema if not exists {s};
create table if not exists {s}.idempotency_requests (
    key text primary key,
    fingerprint text not null,
    first_accepted timestamptz not null default now()
)"""


def fingerprint(method: str, path: str, body: bytes) -> str:
    try:
        canonical = orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS) if body else b""
    except orjson.JSONDecodeError:
        canonical = body
    return hashlib.sha256(b"\0".join((method.encode(), path.encode(), canonical))).hexdigest()


class Requests:
    """The fingerprints of accepted keyed requests, in the context's own schema of the service's
    PostgreSQL database (bookkeeping: it stays there whichever event store is configured)."""

    def __init__(self, pool: AsyncConnectionPool, schema: str) -> None:
        self.pool, self.schema = pool, sql.Identifier(schema)

    async def ensure_schema(self) -> None:
        await ensure_tables(self.pool, sql.SQL(DDL).format(s=self.schema))

    async def check(self, key: str, print_: str) -> None:
        """Refuse a key that was accepted for another request."""
        async with self.pool.connection() as conn:
            cursor = await conn.execute(
                sql.SQL("select fingerprint from {s}.idempotency_requests where key = %s").format(
                    s=self.schema
                ),
                (key,),
            )
            row = await cursor.fetchone()
        if row is not None and row[0] != print_:
            raise Problem(
                422,
                "The request is not valid",
                "This Idempotency-Key was used for another request; use a new key for a new request.",
                field="Idempotency-Key",
            )

    async def bind(self, key: str, print_: str) -> None:
        async with self.pool.connection() as conn:
            await conn.execute(
                sql.SQL(
                    "insert into {s}.idempotency_requests (key, fingerprint) values (%s, %s)"
                    " on conflict (key) do nothing"
                ).format(s=self.schema),
                (key, print_),
            )
