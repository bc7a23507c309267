"""What a read model is: tables, the event types it handles, and one `evolve` over rows.

A read model never writes SQL of its own. It says which rows an event touches (`keys`) and how the
event changes them (`evolve`, on a `Rows` map: get/put/delete by table and primary key). The same
evolve then serves both paths, so they cannot disagree:
- incremental (`apply`): load the rows a batch touches, evolve, upsert what changed, in the
  projector's transaction;
- rebuild (crm_projections.rebuild): evolve the whole history in memory, COPY into new tables, swap.
Both hand evolve upcast data (`upcast`): an event stored in an older schema version reads like a
current one. Aggregations (funnel sums, rollups, rates) are views in the `reporting` schema over
these rows, in the `views.sql` beside each read model (`views_of`).
"""

from __future__ import annotations

import functools
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from crm_events import Envelope
from crm_events.registry import Registry, registry
from sqlalchemy import (
    ARRAY,
    MetaData,
    Table,
    TextClause,
    any_,
    bindparam,
    delete,
    select,
    text,
    tuple_,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.schema import CreateTable

Key = tuple[Any, ...]
Row = dict[str, Any]

metadata = MetaData(schema="projections")  # every read model's tables, and the shared bookkeeping


def upcast(e: Envelope, events: Registry = registry) -> Envelope:
    """`e` with its data lifted to the current schema version of its type (itself if current)."""
    data = events.upcast(e.type, e.schema_version, e.data)
    if data is e.data:
        return e
    return e._replace(data=data, schema_version=events.version(e.type))


def views_of(package: str) -> str:
    """The SQL of the reporting views kept in `views.sql` beside a read model's modules."""
    return resources.files(package).joinpath("views.sql").read_text()


class Rows:
    """The rows a read model reads and writes, by table name and primary key."""

    def __init__(self, known: dict[str, dict[Key, Row]] | None = None) -> None:
        self.known: dict[str, dict[Key, Row | None]] = defaultdict(dict)
        for table, rows in (known or {}).items():
            self.known[table].update(rows)
        self.changed: dict[str, set[Key]] = defaultdict(set)

    def get(self, table: Table, key: Key) -> Row | None:
        return self.known[table.name].get(key)

    def put(self, table: Table, key: Key, row: Row) -> None:
        self.known[table.name][key] = row
        self.changed[table.name].add(key)

    def delete(self, table: Table, key: Key) -> None:
        self.known[table.name][key] = None
        self.changed[table.name].add(key)

    def all(self, table: Table) -> Iterable[Row]:
        return (r for r in self.known[table.name].values() if r is not None)


Keys = Callable[[Envelope], Iterable[tuple[Table, Key]]]
Evolve = Callable[[Rows, Envelope], None]


@dataclass(frozen=True)
class ReadModel:
    name: str
    contexts: tuple[str, ...]
    tables: tuple[Table, ...]
    handles: frozenset[str]
    keys: Keys  # the rows an event reads or writes (loaded before evolve runs)
    evolve: Evolve
    version: int = 1  # raise it when evolve changes meaning: the read model is then rebuilt

    def fingerprint(self) -> str:
        """Changes whenever the tables, the handled events or the version change."""
        dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
        ddl = [str(CreateTable(t).compile(dialect=dialect)) for t in self.tables]
        parts = [self.name, str(self.version), *sorted(self.handles), *ddl]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def _pk(table: Table) -> list[Any]:
    return list(table.primary_key.columns)


async def apply(conn: AsyncConnection, model: ReadModel, events: Sequence[Envelope]) -> None:
    """Apply events (deduplicated, each stream in version order): one read and one write per table."""
    wanted: dict[str, tuple[Table, set[Key]]] = {}
    for e in events:
        for table, key in model.keys(e):
            wanted.setdefault(table.name, (table, set()))[1].add(key)
    known: dict[str, dict[Key, Row]] = {}
    for name, (table, wanted_keys) in wanted.items():
        pk = _pk(table)
        if len(pk) == 1:  # one array parameter: the same statement for every batch
            query = select(table).where(pk[0] == any_(bindparam("keys", type_=ARRAY(pk[0].type))))
            found = await conn.execute(query, {"keys": [k[0] for k in wanted_keys]})
        else:
            found = await conn.execute(select(table).where(tuple_(*pk).in_(list(wanted_keys))))
        known[name] = {tuple(r[c.name] for c in pk): dict(r) for r in found.mappings()}
    rows = Rows(known)
    for e in events:
        model.evolve(rows, e)
    for table in model.tables:
        keys = rows.changed.get(table.name, set())
        if not keys:
            continue
        pk = _pk(table)
        now = rows.known[table.name]
        gone = [k for k in keys if now[k] is None]
        kept = [row for k in keys if (row := now[k]) is not None]
        if gone:
            await conn.execute(delete(table).where(tuple_(*pk).in_(gone)))
        if kept:
            columns = [c.name for c in table.columns]
            await conn.execute(_upsert(table), {c: [row.get(c) for row in kept] for c in columns})


@functools.cache
def _upsert(table: Table) -> TextClause:
    """One statement per table for any number of rows: every column as an array parameter,
    unnested, upserted. Its text never changes, so it is prepared once (SQLAlchemy's executemany
    sends one statement per row)."""
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    columns = list(table.columns)
    names = ", ".join(f'"{c.name}"' for c in columns)
    arrays = ", ".join(f"cast(:{c.name} as {c.type.compile(dialect=dialect)}[])" for c in columns)
    pk = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
    updates = ", ".join(f'"{c.name}" = excluded."{c.name}"' for c in columns if not c.primary_key)
    action = f"do update set {updates}" if updates else "do nothing"
    return text(
        f'insert into "{table.schema}"."{table.name}" ({names})'
        f" select * from unnest({arrays}) on conflict ({pk}) {action}"
    )
