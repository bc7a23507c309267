"""The whole system, started once for the end-to-end tests: every process real."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import httpx
import pytest
from crm_cli.system import System
from crm_platform.auth import issue_token

SECRET = "e2e-secret-" + uuid4().hex


@pytest.fixture(scope="session")
def system(
    database_url: str, broker: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    s = System(
        database_url,
        broker,
        SECRET,
        log_dir=tmp_path_factory.mktemp("logs"),
        extra_env={"CRM_ANALYSIS_SECONDS": "0"},  # grades computed only when a test asks
    )
    try:
        yield s.start(timeout=90)
    finally:
        s.stop()


def token(role: str, branch: str, user: str | None = None) -> str:
    return issue_token(SECRET, user=user or f"user-{uuid4().hex[:6]}", role=role, branch=branch)


def client(system: System, role: str = "sales_rep", branch: str | None = None) -> httpx.Client:
    branch = branch or f"B{uuid4().hex[:6]}"
    return httpx.Client(
        base_url=system.url,
        headers={"Authorization": f"Bearer {token(role, branch)}"},
        timeout=15,
    )
