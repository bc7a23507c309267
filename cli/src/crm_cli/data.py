"""`crm projections …`, `crm export …`, `crm bi-role`: operating the read models and BI access."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
from crm_projections.app import READ_MODELS, engine_for, open_stores
from crm_projections.rebuild import rebuild
from crm_projections.tables import create_all
from psycopg import sql


def database_url(var: Path) -> str:
    """CRM_DATABASE_URL, or the local database `crm run` is serving (it notes the URL in var/)."""
    if url := os.environ.get("CRM_DATABASE_URL"):
        return url
    noted = var / "database-url"
    if noted.exists():
        return noted.read_text().strip()
    sys.exit("no database: set CRM_DATABASE_URL, or start the system with `crm run` first")


class Bar:
    """A one-line progress bar on stderr."""

    def __init__(self, label: str) -> None:
        self.label, self.start, self.last = label, time.monotonic(), 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.1 and done < total:
            return
        self.last = now
        share = done / total if total else 1.0
        rate = done / max(now - self.start, 1e-9)
        filled = int(share * 30)
        sys.stderr.write(
            f"\r{self.label:<12} [{'#' * filled}{'.' * (30 - filled)}] {share:6.1%}"
            f"  {done:,}/{total:,} events  {rate:,.0f}/s"
        )
        sys.stderr.flush()

    def done(self) -> None:
        sys.stderr.write("\n")


async def rebuild_models(url: str, names: list[str]) -> int:
    models = [m for m in READ_MODELS if not names or m.name in names]
    unknown = set(names) - {m.name for m in READ_MODELS}
    if unknown:
        known = ", ".join(m.name for m in READ_MODELS)
        print(f"unknown read model(s): {', '.join(sorted(unknown))} (known: {known})")
        return 2
    engine = engine_for(url)
    await create_all(engine)
    stores = await open_stores(url, READ_MODELS)
    try:
        for model in models:
            bar = Bar(model.name)
            started = time.monotonic()
            n = await rebuild(engine, stores, model, progress=bar)
            bar.done()
            print(f"{model.name}: rebuilt from {n:,} events in {time.monotonic() - started:.1f}s")
    finally:
        for store in stores.values():
            await store.close()
        await engine.dispose()
    return 0


def export(url: str, view: str, fmt: str, out: Path | None) -> int:
    import polars as pl

    with psycopg.connect(url) as conn:
        exists = conn.execute(
            "select 1 from information_schema.views where table_schema = 'reporting'"
            " and table_name = %s",
            (view,),
        ).fetchone()
        if not exists:
            names = [
                r[0]
                for r in conn.execute(
                    "select table_name from information_schema.views"
                    " where table_schema = 'reporting' order by 1"
                )
            ]
            print(f"no report {view!r}; the reports are: {', '.join(names)}")
            return 2
        cur = conn.execute(sql.SQL("select * from reporting.{}").format(sql.Identifier(view)))
        columns = [d.name for d in cur.description or ()]
        frame = pl.DataFrame(cur.fetchall(), schema=columns, orient="row", infer_schema_length=None)
    target = out or Path(f"{view}.{fmt}")
    if fmt == "parquet":
        frame.write_parquet(target)
    else:
        frame.write_csv(target)
    print(f"wrote {len(frame):,} rows of reporting.{view} to {target}")
    return 0


BI_STATEMENT_TIMEOUT = "60s"


def bi_role(url: str, name: str, password: str) -> int:
    """A login role that reads the reporting views and nothing else: no tables, no event stores,
    no temporary tables, read-only transactions, a statement timeout; prints its connection URL.

    Leaving read-only mode (`set transaction read write`) gains it nothing: it holds no privilege
    to write anything, temporary tables included."""
    ident = sql.Identifier(name)
    with psycopg.connect(url, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_roles where rolname = %s", (name,)).fetchone()
        verb = sql.SQL("alter") if exists else sql.SQL("create")
        conn.execute(
            sql.SQL("{} role {} login password {} nosuperuser nocreatedb nocreaterole").format(
                verb, ident, sql.Literal(password)
            )
        )
        database = conn.info.dbname
        for statement in (
            "grant connect on database {db} to {r}",
            "create schema if not exists reporting",
            "grant usage on schema reporting to {r}",
            "grant select on all tables in schema reporting to {r}",
            # views recreated later (a rebuild's swap) are granted too
            "alter default privileges in schema reporting grant select on tables to {r}",
            "alter role {r} set default_transaction_read_only = on",
            "alter role {r} set statement_timeout = {timeout}",
            # temporary tables are the one thing any role may create: not this one
            "revoke temporary on database {db} from public",
            "revoke create on schema public from public",
        ):
            conn.execute(
                sql.SQL(statement).format(
                    r=ident, db=sql.Identifier(database), timeout=sql.Literal(BI_STATEMENT_TIMEOUT)
                )
            )
    print(f"role {name} reads the reporting schema of {database} (read-only)")
    print(f"connect with: {bi_url(url, name)}")
    return 0


def bi_url(url: str, name: str) -> str:
    """The URL a BI tool connects with (the password is asked for, or given as PGPASSWORD)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{quote(name)}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def run_rebuild(url: str, names: list[str]) -> int:
    return asyncio.run(rebuild_models(url, names))
