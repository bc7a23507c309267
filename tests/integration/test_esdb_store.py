"""The event store contract against EventStoreDB/KurrentDB, wherever `CRM_ESDB_URL` points to one
(e.g. esdb://localhost:2113?tls=false). Without it every test here is skipped, with the reason."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from .store_contract import EventStoreContract

NO_SERVER = "CRM_ESDB_URL is not set: no EventStoreDB server to run the contract against"


@pytest_asyncio.fixture(loop_scope="session")
async def store() -> AsyncIterator[Any]:
    url = os.environ.get("CRM_ESDB_URL")
    if not url:
        pytest.skip(NO_SERVER)
    from crm_platform.eventstore import open_store
    from crm_platform.settings import Settings

    store = await open_store(Settings(event_store="esdb", esdb_url=url), "contract")
    try:
        yield store
    finally:
        await store.close()


@pytest.mark.esdb
class TestEsdbEventStore(EventStoreContract):
    pass
