"""`crm generate`: a large, valid event history for benchmarks and load tests.

Every event is produced by the aggregates' own `decide`/`evolve` (so the history is one the system
could have recorded), with backdated times, and written stream by stream with COPY
(`EventStore.import_streams`). Deterministic for a given seed.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from crm_events import Metadata, NewEvent, registry, to_data
from crm_events.opportunities import QuoteLine
from crm_opportunities.domain import opportunity as o
from crm_platform.domain import DomainError
from crm_platform.eventstore import EventStore

from crm_cli.demo import BRANCHES, COMPETITORS, PRODUCTS

START = datetime(2025, 1, 1, tzinfo=UTC)


def _events(
    decider_events: Sequence[Any], meta: Metadata, at: datetime, rng: random.Random
) -> list[NewEvent]:
    return [
        NewEvent(
            UUID(int=rng.getrandbits(128), version=4),
            type(e).event_type,
            registry.version(type(e).event_type),
            at,
            to_data(e),
            meta,
        )
        for e in decider_events
    ]


def opportunity_stream(i: int, rng: random.Random) -> tuple[str, list[NewEvent]]:
    """One opportunity's whole life: opened, worked (activities, competitors, quotes), decided."""
    branch = BRANCHES[i % len(BRANCHES)]
    rep = f"{branch.lower()}-rep-{rng.randint(1, 8)}"
    meta = Metadata(rep, "sales_rep", branch, f"gen-{i}")
    oid = str(UUID(int=rng.getrandbits(128), version=4))
    product, line, price = rng.choice(PRODUCTS)
    qty = Decimal(rng.randint(1, 9))
    at = START + timedelta(minutes=rng.randint(0, 600 * 24 * 60))
    state: o.State = o.initial_state()
    out: list[NewEvent] = []

    def run(command: Any) -> None:
        nonlocal state
        try:
            events = o.decide(command, state)
        except DomainError:
            return
        for e in events:
            state = o.evolve(state, e)
        out.extend(_events(events, meta, at, rng))

    run(
        o.OpenOpportunity(
            oid,
            f"acct-{rng.randint(1, 20000)}",
            f"Deal {i}",
            price * qty,
            "CNY",
            date(2027, 1, 1),
            branch,
            rep,
            at,
        )
    )
    for stage in ("bidding", "negotiation")[: rng.randint(0, 2)]:
        at += timedelta(days=rng.randint(3, 40))
        for _ in range(rng.randint(0, 2)):
            run(
                o.LogActivity(
                    f"act-{i}-{len(out)}", "visit", rep, Decimal(rng.randint(0, 900)), "", at
                )
            )
        run(o.ChangeStage(stage, at))
        if stage == "bidding":
            run(o.TrackCompetitor(rng.choice(COMPETITORS), price * qty, "price", at))
            run(
                o.AddQuote(
                    f"q-{i}",
                    (QuoteLine(product, line, qty, price, Decimal(rng.choice((0, 5, 12)))),),
                    at,
                )
            )
    at += timedelta(days=rng.randint(3, 30))
    fate = rng.random()
    if fate < 0.3:
        run(o.Win(at))
    elif fate < 0.55:
        run(o.Lose(rng.choice(("price", "timing", "no_decision")), None, None, at))
    return o.stream_id(oid), out


def histories(total: int, seed: int) -> Iterator[tuple[str, list[NewEvent]]]:
    rng = random.Random(seed)
    made, i = 0, 0
    while made < total:
        stream = opportunity_stream(i, rng)
        made += len(stream[1])
        i += 1
        yield stream


async def generate(
    store: EventStore, total: int, seed: int = 7, batch: int = 20_000
) -> tuple[int, float]:
    """Write at least `total` events into `store`; returns (events written, seconds)."""
    started = time.perf_counter()
    written, pending, size = 0, [], 0
    for stream in histories(total, seed):
        pending.append(stream)
        size += len(stream[1])
        if size >= batch:
            written += await store.import_streams(pending)
            pending, size = [], 0
    if pending:
        written += await store.import_streams(pending)
    return written, time.perf_counter() - started
