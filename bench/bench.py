"""`make bench`: performance figures on the local embedded PostgreSQL and Tansu (printed, never asserted).

Store appends (1 and 8 clients, one event per transaction), read-all with decoding, relay to Kafka,
and the reference: the `eventsourcing` library saving one-event aggregates on the same server;
rebuild and consuming on a generated history (CRM_BENCH_EVENTS, default 1,000,000); the gateway's
report latency under 200 connections (wrk); commands through the gateway (50 in flight: opening
an opportunity and moving it a stage). CRM_BENCH_PARTS=store,analytics,gateway,commands picks parts.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

from crm_events import Metadata, NewEvent
from crm_platform.eventstore import EventStore, open_store
from crm_platform.eventstore.postgres import open_pool
from crm_platform.local import TansuBroker, embedded_postgres, ensure_database
from crm_platform.relay import Relay

META = Metadata("bench", "sales_rep", "SH01", "bench")
N1, N8, BULK = 3000, 16000, 100_000


def event() -> NewEvent:
    return NewEvent(uuid4(), "OpportunityOpened", 1, datetime.now(UTC), {"amount": "100.00"}, META)


def line(name: str, n: int, seconds: float, target: str = "") -> float:
    rate = n / seconds
    print(f"{name:<48} {rate:>10,.0f} events/s  ({n} in {seconds:.2f}s) {target}", flush=True)
    return rate


async def appends(store: EventStore, clients: int, total: int) -> float:
    async def writer(k: int) -> None:
        for _ in range(total // clients):
            await store.append(f"bench-{uuid4()}", [event()], 0)

    start = time.perf_counter()
    await asyncio.gather(*(writer(k) for k in range(clients)))
    return time.perf_counter() - start


async def crm(url: str, bootstrap: str) -> tuple[float, int]:
    from crm_platform.settings import Settings

    store = await open_store(Settings(database_url=url), "bench", connections=12)
    pool = open_pool(url, max_size=2, name="bench-own")  # the relay's checkpoint
    await pool.open()
    one = line(
        "store append, 1 client", N1, await appends(store, 1, N1), "(target >= 2x eventsourcing)"
    )
    line("store append, 8 clients", N8, await appends(store, 8, N8), "(target >= 5,000)")
    for _ in range(
        BULK // 1000
    ):  # a longer log, so that reading and relaying are measured steadily
        await store.append(f"bench-{uuid4()}", [event() for _ in range(1000)], 0)
    start, n, after = time.perf_counter(), 0, 0
    while batch := await store.read_all(after, 5000):
        n, after = n + len(batch), batch[-1].position
    line("read all with decoding", n, time.perf_counter() - start, "(target >= 80,000)")
    stop = asyncio.Event()
    relay = Relay(store, "bench", bootstrap, batch=5000, db=pool)
    start = time.perf_counter()
    task = asyncio.create_task(relay.run(stop))
    while await relay.checkpoint() < after:
        await asyncio.sleep(0.05)
    line(
        "relay store -> Kafka",
        n,
        time.perf_counter() - start,
        "(target >= 20,000; includes connect)",
    )
    stop.set()
    await task
    await store.close()
    await pool.close()
    return one, n


async def analytics(url: str, bootstrap: str, total: int) -> None:
    """The projections on a generated history: rebuild from the store, and consuming from Kafka."""
    from crm_cli.generate import generate
    from crm_platform.settings import Settings
    from crm_projections.app import READ_MODELS, engine_for, open_stores
    from crm_projections.consumer import follow
    from crm_projections.projector import Projector
    from crm_projections.rebuild import rebuild
    from crm_projections.tables import create_all
    from sqlalchemy import text

    stores = await open_stores(url, READ_MODELS)
    store = stores["opportunities"]
    written, seconds = await generate(store, total)
    line("generate a history (decide/evolve + COPY)", written, seconds)
    own = open_pool(url, max_size=2, name="bench-analytics")  # statistics, the relay's checkpoint
    await own.open()
    async with own.connection() as conn:
        await conn.execute("analyze opportunities.events")  # as autovacuum would after a load
    engine = engine_for(url)
    await create_all(engine)
    for model in READ_MODELS:
        start = time.perf_counter()
        n = await rebuild(engine, stores, model)
        if not n:
            continue  # the generator writes opportunity histories only
        line(
            f"rebuild read model {model.name} from the store",
            written,  # the history it rebuilt from; the database skips the types it ignores
            time.perf_counter() - start,
            f"(target >= 80,000; {n:,} of the events are of types it handles)",
        )
    stop = asyncio.Event()
    relay = Relay(store, "opportunities", bootstrap, batch=5000, db=own)
    last = await store.horizon()
    start = time.perf_counter()
    task = asyncio.create_task(relay.run(stop))
    while await relay.checkpoint() < last:
        await asyncio.sleep(0.2)
    line("relay the history to Kafka", written, time.perf_counter() - start)
    stop.set()
    await task
    # consuming: empty read models, a new consumer group, the whole topic from the start
    async with engine.begin() as conn:
        await conn.execute(text("drop schema projections cascade"))
    await create_all(engine)
    settings = Settings(kafka_bootstrap=bootstrap)
    halt = asyncio.Event()
    start = time.perf_counter()
    followers = [
        asyncio.create_task(follow(Projector(engine, stores, m), settings, halt))
        for m in READ_MODELS
    ]
    applied = 0
    while applied < written:
        await asyncio.sleep(0.25)
        async with engine.connect() as conn:
            applied = (
                await conn.execute(
                    text("select coalesce(sum(version), 0) from projections.stream_progress")
                )
            ).scalar() or 0
    line(
        "projections consuming from Kafka",
        written,
        time.perf_counter() - start,
        "(target >= 20,000)",
    )
    halt.set()
    await asyncio.gather(*followers)
    await engine.dispose()
    for s in stores.values():
        await s.close()
    await own.close()


async def report_latency(base: str, token: str, concurrency: int = 200, total: int = 4000) -> None:
    """The funnel report through the gateway under `concurrency` requests in flight."""
    import httpx

    latencies: list[float] = []
    remaining = total
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=30) as c:
        await c.get("/v1/reports/funnel")  # warm up

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                t0 = time.perf_counter()
                answer = await c.get("/v1/reports/funnel", params={"branch": "SH01"})
                latencies.append(time.perf_counter() - t0)
                assert answer.status_code == 200, answer.text

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    p50, p99 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99)]
    print(
        f"{'gateway funnel report, ' + str(concurrency) + ' concurrent':<48} {total / elapsed:>10,.0f}"
        f" requests/s  p50 {p50 * 1000:.0f} ms  p99 {p99 * 1000:.0f} ms  (target p99 <= 50 ms)",
        flush=True,
    )


def _ms(value: str) -> float:
    """wrk's latency figure (`9.68ms`, `1.02s`, `850.00us`) in milliseconds."""
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if value.endswith(unit):
            return float(value.removesuffix(unit)) * factor
    raise ValueError(value)


def report_latency_wrk(base: str, token: str, concurrency: int = 200) -> None:
    """The funnel report through the gateway with wrk (one thread, so it leaves the other core
    to the system): a native client is needed, a Python one tops out near 200 requests/s."""
    url = f"{base}/v1/reports/funnel?branch=SH01"
    auth = f"Authorization: Bearer {token}"
    wrk = ["wrk", "-t1", f"-c{concurrency}", "-d15s", "--latency", "-H", auth, url]
    out = subprocess.run(wrk, capture_output=True, text=True, check=True).stdout
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    rate = float(re.search(r"Requests/sec:\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    print(
        f"{'gateway funnel report, ' + str(concurrency) + ' concurrent (wrk)':<48} {rate:>10,.0f}"
        f" requests/s  p50 {p50:.1f} ms  p99 {p99:.1f} ms  (target p99 <= 50 ms)"
        f"{'  non-2xx: ' + errors.group(1) if errors else ''}",
        flush=True,
    )


def gateway(url: str, bootstrap: str) -> None:
    from crm_cli.system import System
    from crm_platform.auth import issue_token

    secret = uuid4().hex
    system = System(url, bootstrap, secret, log_dir=Path(tempfile.mkdtemp()))
    try:
        system.start(timeout=300)
        token = issue_token(secret, user="bench", role="hq_analyst", branch="HQ")
        if shutil.which("wrk"):
            report_latency_wrk(system.url, token)
        else:
            print("(wrk is not installed: `apt-get install wrk` for the gateway figure; the")
            print(" Python client below measures itself as much as the gateway)")
            asyncio.run(report_latency(system.url, token))
    finally:
        system.stop()


async def command_latency(base: str, token: str, concurrency: int = 50, deals: int = 600) -> None:
    """Commands through the gateway with `concurrency` in flight: each deal is opened, then moved
    to the next stage (two commands, each a read of its stream and an append)."""
    import httpx

    latencies: dict[str, list[float]] = {"open": [], "stage": []}
    remaining = deals
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    body = {
        "account_id": "acct-bench",
        "name": "Bench deal",
        "amount": 125000,
        "currency": "CNY",
        "expected_close": "2027-06-30",
    }
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=60) as c:

        async def timed(kind: str, path: str, payload: dict[str, object]) -> httpx.Response:
            t0 = time.perf_counter()
            answer = await c.post(path, json=payload)
            latencies[kind].append(time.perf_counter() - t0)
            assert answer.status_code in (200, 201), answer.text
            return answer

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                opened = await timed("open", "/v1/opportunities", body)
                oid = opened.json()["id"]
                await timed("stage", f"/v1/opportunities/{oid}/stage", {"stage": "bidding"})

        await timed("open", "/v1/opportunities", body)  # warm up
        latencies["open"].clear()
        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    total = sum(len(v) for v in latencies.values())
    print(
        f"{'gateway commands, ' + str(concurrency) + ' concurrent':<48} {total / elapsed:>10,.0f}"
        " commands/s",
        flush=True,
    )
    for kind, values in latencies.items():
        values.sort()
        p50, p95, p99 = (values[int(len(values) * q)] * 1000 for q in (0.5, 0.95, 0.99))
        print(
            f"{'  ' + kind + ' opportunity' if kind == 'open' else '  change stage':<48}"
            f" p50 {p50:.0f} ms  p95 {p95:.0f} ms  p99 {p99:.0f} ms",
            flush=True,
        )


def commands(url: str, bootstrap: str) -> None:
    from crm_cli.system import System
    from crm_platform.auth import issue_token

    secret = uuid4().hex
    system = System(url, bootstrap, secret, log_dir=Path(tempfile.mkdtemp()))
    try:
        system.start(timeout=300)
        token = issue_token(secret, user="bench-rep", role="sales_rep", branch="SH01")
        asyncio.run(command_latency(system.url, token))
    finally:
        system.stop()


def eventsourcing_reference(url: str) -> float:
    parts = urllib.parse.urlsplit(url)
    os.environ.update(
        PERSISTENCE_MODULE="eventsourcing.postgres",
        POSTGRES_DBNAME=parts.path.strip("/"),
        POSTGRES_HOST=urllib.parse.parse_qs(parts.query)["host"][0],
        POSTGRES_PORT="5432",
        POSTGRES_USER=parts.username or "postgres",
        POSTGRES_PASSWORD="",
        CREATE_TABLE="true",
    )
    from eventsourcing.application import Application
    from eventsourcing.domain import Aggregate
    from eventsourcing.domain import event as es_event

    class Deal(Aggregate):
        @es_event("Opened")
        def __init__(self, amount: str) -> None:
            self.amount = amount

    app: Application = Application()
    start = time.perf_counter()
    for _ in range(N1):
        app.save(Deal("100.00"))
    rate = line("eventsourcing library: save, 1 client", N1, time.perf_counter() - start)
    start = time.perf_counter()
    n = len(list(app.recorder.select_notifications(start=1, limit=10**9)))
    line("eventsourcing library: read notification log", n, time.perf_counter() - start)
    return rate


def main() -> None:
    parts = os.environ.get("CRM_BENCH_PARTS", "store,analytics,gateway,commands").split(",")
    with embedded_postgres(Path(tempfile.mkdtemp()) / "pg", keep=False) as admin:
        url = ensure_database(admin, "bench")
        broker = TansuBroker().start()
        try:
            if "store" in parts:
                one, _ = asyncio.run(crm(url, broker.bootstrap))
            total = int(os.environ.get("CRM_BENCH_EVENTS", "1000000"))
            analytics_url = ensure_database(admin, "analytics")
            if "analytics" in parts:
                asyncio.run(analytics(analytics_url, broker.bootstrap, total))
            if "gateway" in parts:  # the demo data, the system at rest: a database and a
                from crm_cli import demo  # broker of its own, no replay under way

                gateway_url = ensure_database(admin, "gateway")
                demo.run(gateway_url)
                own = TansuBroker().start()
                try:
                    gateway(gateway_url, own.bootstrap)
                finally:
                    own.stop()
            if "commands" in parts:
                own = TansuBroker().start()
                try:
                    commands(ensure_database(admin, "commands"), own.bootstrap)
                finally:
                    own.stop()
        finally:
            broker.stop()
        if "store" in parts:
            reference = eventsourcing_reference(url)
            print(f"\nsingle-client append vs eventsourcing: {one / reference:.2f}x (target >= 2x)")


if __name__ == "__main__":
    main()
