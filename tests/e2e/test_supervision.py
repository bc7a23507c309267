"""`crm run` as an operator meets it: kill -9 its broker, and the system says so on /health, starts
the broker again by itself, logs it once, and is healthy again."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from uuid import uuid4

import httpx
from crm_platform.local import ensure_database, free_port


def test_crm_run_restarts_a_killed_broker_and_health_says_what_is_down(
    pg_admin_url: str, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "CRM_DATABASE_URL": ensure_database(pg_admin_url, f"run_{uuid4().hex[:8]}"),
        "CRM_GATEWAY_PORT": str(port),
        "CRM_VAR_DIR": str(tmp_path / "var"),
        "CRM_DEMO": "0",
        "CRM_ANALYSIS_SECONDS": "0",
        "CRM_RESTART_SECONDS": "8",  # the first restart waits long enough to look at /health
    }
    env.pop("CRM_KAFKA_BOOTSTRAP", None)
    run = subprocess.Popen(
        [sys.executable, "-m", "crm_cli", "run"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    seen: list[str] = []
    threading.Thread(target=lambda: [lines.put(x) for x in run.stdout or ()], daemon=True).start()

    def until(pattern: str, timeout: float = 120) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                seen.append(lines.get(timeout=0.5))
            except queue.Empty:
                continue
            if found := re.search(pattern, seen[-1]):
                return found
        raise AssertionError(f"never saw {pattern!r} in:\n" + "".join(seen))

    def health(timeout: float = 60, want: int = 200) -> httpx.Response:
        deadline = time.monotonic() + timeout
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/health", timeout=5)
                if answer.status_code == want or time.monotonic() > deadline:
                    return answer
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.2)

    try:
        broker = int(until(r"started the Tansu broker on \S+ \(pid (\d+)")[1])
        until(r"CRM gateway: ")
        assert health().status_code == 200
        os.kill(broker, signal.SIGKILL)
        down = health(want=503)
        assert down.status_code == 503, down.text
        assert down.json()["checks"]["leads"] == "down: broker"
        until(rf"broker \(pid {broker}\) exited with -9; starting it again in 8s")
        restarted = int(until(r"broker started again \(pid (\d+)\)")[1])
        assert restarted != broker
        assert health(want=200).status_code == 200
        assert "".join(seen).count("exited with") == 1  # said once, nothing else restarted
    finally:
        run.send_signal(signal.SIGINT)
        try:
            run.wait(60)
        except subprocess.TimeoutExpired:
            run.kill()
            run.wait()
