"""The scheduled-check loop reads its clock once per run, as the run starts: the scheduled-check
tests count the checker's runs by the reads of a fake clock, so this is a contract."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

from crm_platform.service import Service
from crm_platform.workers import every

T0 = datetime(2026, 1, 5, tzinfo=UTC)


async def test_the_clock_is_read_once_as_each_run_starts() -> None:
    reads: list[int] = []  # how many runs had completed at each read
    completed = 0
    stop = asyncio.Event()

    def clock() -> datetime:
        reads.append(completed)
        return T0

    async def check(store: Any, now: datetime) -> None:
        nonlocal completed
        assert now == T0
        await asyncio.sleep(0)  # a run that awaits: the next read still waits for its end
        completed += 1
        if completed == 3:
            stop.set()

    nobody = cast(Service, SimpleNamespace(store=None))  # the check never touches the store
    await asyncio.wait_for(every(0, check, clock)(nobody, stop), 5)
    assert reads == [0, 1, 2]
