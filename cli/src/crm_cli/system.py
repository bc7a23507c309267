"""The whole system on one machine: every service as its own process, stopped by process id.

`crm run` and the end-to-end tests both start the system through `System`.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from crm_platform.local import free_port, wait_for_port

# Every process of the system, in start order; the gateway comes last.
SERVICES = ("leads", "opportunities", "contracts", "service-desk", "projections", "gateway")


def jwt_secret(var: Path) -> str:
    """CRM_JWT_SECRET, or a secret kept in var/ so `crm token` and `crm run` agree."""
    if secret := os.environ.get("CRM_JWT_SECRET"):
        return secret
    path = var / "jwt-secret"
    if not path.exists():
        var.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


@dataclass
class System:
    database_url: str
    kafka_bootstrap: str
    jwt_secret: str
    gateway_port: int = field(default_factory=free_port)
    log_dir: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    # signs the gateway's calls to the services: new for every system unless CRM_INTERNAL_KEY is set
    internal_key: str = field(
        default_factory=lambda: os.environ.get("CRM_INTERNAL_KEY") or secrets.token_urlsafe(32)
    )
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    def env(self) -> dict[str, str]:
        for name in SERVICES[:-1]:
            self.ports.setdefault(name, free_port())
        urls = {
            f"CRM_{name.upper().replace('-', '_')}_URL": f"http://127.0.0.1:{port}"
            for name, port in self.ports.items()
        }
        return {
            **os.environ,
            "CRM_DATABASE_URL": self.database_url,
            "CRM_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
            "CRM_JWT_SECRET": self.jwt_secret,
            "CRM_INTERNAL_KEY": self.internal_key,
            **urls,
            "CRM_GATEWAY_PORT": str(self.gateway_port),
            **self.extra_env,
        }

    def start_service(self, name: str) -> subprocess.Popen[bytes]:
        env = self.env()
        env["CRM_SERVICE"] = name
        if name != "gateway":
            env["CRM_PORT"] = str(self.ports[name])
        out = (
            open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115
            if self.log_dir
            else None
        )
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", f"crm_{name.replace('-', '_')}"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT if out else None,
        )
        return self.procs[name]

    def start(self, timeout: float = 60.0) -> System:
        if self.log_dir:
            self.log_dir.mkdir(parents=True, exist_ok=True)
        for name in SERVICES:
            self.start_service(name)
        self.wait_healthy(timeout)
        return self

    def wait_healthy(self, timeout: float = 60.0) -> None:
        wait_for_port(self.gateway_port, timeout, self.procs["gateway"])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} (pid {proc.pid}) exited with {proc.returncode}")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"the system was not healthy after {timeout}s")

    def stop_service(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def kill_service(self, name: str) -> None:
        """Kill -9: the process gets no chance to finish what it was doing."""
        proc = self.procs.pop(name)
        proc.kill()
        proc.wait()

    def stop(self) -> None:
        for name in reversed(list(self.procs)):
            self.stop_service(name)


@dataclass
class Watched:
    start: Callable[[], subprocess.Popen[bytes]]
    proc: subprocess.Popen[bytes]
    started: float
    failures: int = 0
    retry_at: float | None = None


@dataclass
class Supervisor:
    """Keeps processes running: one that exits is started again after a back-off that doubles with
    each failure in a row (1 s, 2 s, 4 s … at most `cap`), and is forgiven once it has stayed up
    `forgive` seconds. Each exit is said once, with the wait; each restart once.

    `tick()` does one round (the caller's loop calls it); the clock is injectable for tests.
    """

    say: Callable[[str], None] = print
    clock: Callable[[], float] = time.monotonic
    base: float = 1.0
    cap: float = 30.0
    forgive: float = 60.0
    watched: dict[str, Watched] = field(default_factory=dict)
    restarts: list[tuple[str, float]] = field(default_factory=list)  # (name, the wait before)

    def watch(
        self,
        name: str,
        start: Callable[[], subprocess.Popen[bytes]],
        running: subprocess.Popen[bytes] | None = None,
    ) -> None:
        """Keep `name` running: `running` is its process now (None: start it)."""
        self.watched[name] = Watched(start, running or start(), self.clock())

    def tick(self) -> None:
        now = self.clock()
        for name, w in self.watched.items():
            if w.proc.poll() is None:
                if w.failures and now - w.started >= self.forgive:
                    w.failures = 0
                continue
            if w.retry_at is None:
                wait = min(self.base * 2**w.failures, self.cap)
                w.retry_at = now + wait
                self.say(
                    f"{name} (pid {w.proc.pid}) exited with {w.proc.returncode}; "
                    f"starting it again in {wait:g}s"
                )
                self.restarts.append((name, wait))
            elif now >= w.retry_at:
                w.proc, w.started, w.retry_at = w.start(), now, None
                w.failures += 1
                self.say(f"{name} started again (pid {w.proc.pid})")
