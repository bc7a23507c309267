"""BI tools: a read-only role that sees the reporting views and nothing else; exports with polars."""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

import polars as pl
import psycopg
import pytest
from crm_cli import data
from crm_platform.local import ensure_database

from .history import write_history


@pytest.fixture
def reporting_db(pg_admin_url: str) -> str:
    url = ensure_database(pg_admin_url, f"bi_{uuid4().hex[:8]}")

    async def fill() -> None:
        from crm_projections.app import READ_MODELS, open_stores

        stores = await open_stores(url, READ_MODELS)
        try:
            await write_history(stores["opportunities"], 40, seed=9)
        finally:
            for store in stores.values():
                await store.close()

    import asyncio

    asyncio.run(fill())
    assert data.run_rebuild(url, []) == 0
    return url


def test_the_bi_role_reads_reporting_views_and_nothing_else(reporting_db: str) -> None:
    name, password = f"bi_{uuid4().hex[:6]}", uuid4().hex
    assert data.bi_role(reporting_db, name, password) == 0
    assert data.bi_role(reporting_db, name, password) == 0  # idempotent
    with psycopg.connect(reporting_db, user=name, password=password, autocommit=True) as bi:
        rows = bi.execute("select branch, stage, opportunities from reporting.funnel").fetchall()
        assert rows and sum(r[2] for r in rows) == 40
        for forbidden in (
            "select * from projections.funnel_opportunities",
            "select * from opportunities.events",
            "create table reporting.mine (x int)",
        ):
            with pytest.raises(psycopg.errors.Error):
                bi.execute(forbidden)
        assert bi.execute("show statement_timeout").fetchone() == ("1min",)
    # leaving read-only mode gains nothing: it may write nowhere, temporary tables included
    with psycopg.connect(reporting_db, user=name, password=password) as bi:
        bi.execute("set transaction read write")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            bi.execute("create temporary table mine (x int)")
    # the password is required, the right one only
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(reporting_db, user=name, password="not-" + password).close()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(reporting_db, user=name).close()
    url = data.bi_url(reporting_db, name)
    assert url.startswith(f"postgresql://{name}@")
    with psycopg.connect(url, password=password) as bi:
        assert bi.execute("select current_user").fetchone() == (name,)
    # a rebuild recreates the views: the role still reads them
    assert data.run_rebuild(reporting_db, ["funnel"]) == 0
    with psycopg.connect(reporting_db, user=name, password=password) as bi:
        assert bi.execute("select count(*) from reporting.funnel").fetchone()


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_export_writes_the_view(reporting_db: str, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"funnel.{fmt}"
    assert data.export(reporting_db, "funnel", fmt, out) == 0
    frame = pl.read_parquet(out) if fmt == "parquet" else pl.read_csv(out)
    assert frame.columns == ["branch", "stage", "opportunities", "amount"]
    assert frame["opportunities"].sum() == 40
    assert data.export(reporting_db, "no_such_view", fmt, out) == 2
