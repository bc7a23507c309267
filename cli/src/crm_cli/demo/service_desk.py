"""The demo's service desk: tickets of every type and state."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from crm_platform.auth import Actor
from crm_service_desk.application import commands as service_desk

from crm_cli.demo.script import BRANCHES, COMPANIES, PRODUCTS, Loader, people


async def tickets(loader: Loader, rng: random.Random, customers: dict[tuple[str, str], str]) -> int:
    """Per branch: a dozen tickets of every type and state, some resolved late, some with the
    customer's verdict, repairs with parts and charges (the SLA check flags what is still open)."""
    store = loader.stores["service-desk"]
    made = 0
    for branch in BRANCHES:
        _, _, manager = people(branch)
        agent = Actor(f"{branch.lower()}-agent", "service_agent", branch)
        for i in range(12):
            opened = loader.now - timedelta(days=rng.randint(1, 200), hours=rng.randint(0, 23))
            kind = ("complaint", "repair", "service_request", "inquiry")[i % 4]
            ticket = await loader.run(
                "ticket",
                service_desk.open_ticket(
                    store,
                    loader.request(agent, opened),
                    account_id=customers[COMPANIES[i % 5], branch],
                    ticket_type=kind,
                    channel=rng.choice(("phone", "email", "web", "visit")),
                    severity="urgent" if i % 5 == 0 else "normal",
                    subject=f"{kind.replace('_', ' ')} {i}",
                    description="",
                    product=rng.choice(PRODUCTS)[0],
                ),
            )
            made += 1
            if i % 6 == 5:
                continue  # still open: waiting for an agent
            tid = ticket.id
            at = opened + timedelta(hours=rng.randint(1, 6))
            await loader.run(
                "assign",
                service_desk.assign_ticket(store, loader.request(manager, at), tid, agent.user_id),
            )
            await loader.run(
                "start", service_desk.start_work(store, loader.request(agent, at), tid)
            )
            if kind == "repair":
                await loader.run(
                    "part",
                    service_desk.record_spare_part(
                        store,
                        loader.request(agent, at),
                        tid,
                        part="Mechanical seal",
                        quantity=Decimal(rng.randint(1, 3)),
                        unit_price=Decimal(380),
                    ),
                )
                await loader.run(
                    "charge",
                    service_desk.record_service_charge(
                        store,
                        loader.request(agent, at),
                        tid,
                        description="On-site labour",
                        amount=Decimal(600),
                    ),
                )
            done = at + timedelta(hours=rng.choice((20, 50, 90, 140)))
            if done >= loader.now or i % 6 == 4:
                continue  # in progress
            await loader.run(
                "resolve",
                service_desk.resolve_ticket(store, loader.request(agent, done), tid, "Fixed"),
            )
            if rng.random() < 0.7:
                praise = rng.random() < 0.7
                await loader.run(
                    "feedback",
                    service_desk.give_feedback(
                        store,
                        loader.request(agent, done),
                        tid,
                        kind="praise" if praise else "complaint",
                        score=rng.randint(4, 5) if praise else rng.randint(1, 2),
                        comment="",
                    ),
                )
            if i % 3 == 0:
                await loader.run(
                    "close", service_desk.close_ticket(store, loader.request(agent, done), tid)
                )
    return made
