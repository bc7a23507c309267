"""`crm run` keeps its processes running: a crashed one starts again after a doubling back-off,
said once per exit and once per start; one that stays up is forgiven its earlier failures."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from crm_cli.system import Supervisor


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for p in procs:  # stopped by their pids, whatever the test did
        if p.poll() is None:
            p.kill()
        p.wait()


def test_a_crashed_process_starts_again_after_a_doubling_back_off(
    started: list[subprocess.Popen[bytes]],
) -> None:
    def start() -> subprocess.Popen[bytes]:
        started.append(subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]))
        return started[-1]

    now = [0.0]
    lines: list[str] = []
    sup = Supervisor(say=lines.append, clock=lambda: now[0], base=1, cap=4, forgive=60)
    sup.watch("broker", start)
    sup.tick()
    assert lines == [] and len(started) == 1

    for wait in (1, 2, 4, 4):  # doubling, capped
        crashed = started[-1]
        crashed.kill()
        crashed.wait()
        sup.tick()
        assert (
            lines[-1] == f"broker (pid {crashed.pid}) exited with -9; starting it again in {wait}s"
        )
        said = len(lines)
        now[0] += wait - 0.5
        sup.tick()
        assert len(started) == len(lines) // 2 + 1 and len(lines) == said  # still waiting
        now[0] += 0.5
        sup.tick()
        assert started[-1].pid != crashed.pid and started[-1].poll() is None
        assert lines[-1] == f"broker started again (pid {started[-1].pid})"
    assert [w for _, w in sup.restarts] == [1, 2, 4, 4]

    now[0] += 60  # up a minute: forgiven
    sup.tick()
    started[-1].kill()
    started[-1].wait()
    sup.tick()
    assert lines[-1].endswith("starting it again in 1s")
