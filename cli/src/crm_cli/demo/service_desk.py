"""The demo's service desk: tickets of every type and state."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal

from crm_api import Route
from crm_api import service_desk as api
from crm_platform.auth import Actor
from crm_platform.commands import Accepted
from crm_service_desk.commands import COMMANDS

from crm_cli.demo.script import BRANCHES, COMPANIES, PRODUCTS, Loader, people

SPECS = {spec.route: spec for spec in COMMANDS}
KINDS: tuple[Literal["complaint", "repair", "service_request", "inquiry"], ...] = (
    "complaint",
    "repair",
    "service_request",
    "inquiry",
)


async def _do(
    loader: Loader,
    route: Route,
    actor: Actor,
    at: datetime,
    tid: str | None = None,
    body: object = None,
) -> Accepted:
    path = {"ticket_id": tid} if tid else None
    return await loader.do("service-desk", SPECS[route], actor, at, path, body)


async def tickets(loader: Loader, rng: random.Random, customers: dict[tuple[str, str], str]) -> int:
    """Per branch: a dozen tickets of every type and state, some resolved late, some with the
    customer's verdict, repairs with parts and charges (the SLA check flags what is still open)."""
    made = 0
    for branch in BRANCHES:
        _, _, manager = people(branch)
        agent = Actor(f"{branch.lower()}-agent", "service_agent", branch)
        for i in range(12):
            opened = loader.now - timedelta(days=rng.randint(1, 200), hours=rng.randint(0, 23))
            kind = KINDS[i % 4]
            ticket = await _do(
                loader,
                api.OPEN_TICKET,
                agent,
                opened,
                body=api.OpenTicket(
                    account_id=customers[COMPANIES[i % 5], branch],
                    ticket_type=kind,
                    channel=rng.choice(("phone", "email", "web", "visit")),
                    severity="urgent" if i % 5 == 0 else "normal",
                    subject=f"{kind.replace('_', ' ')} {i}",
                    description="",
                    product=rng.choice(PRODUCTS)[0],
                    contract_id=None,
                    branch=None,
                ),
            )
            made += 1
            if i % 6 == 5:
                continue  # still open: waiting for an agent
            tid = ticket.id
            at = opened + timedelta(hours=rng.randint(1, 6))
            await _do(
                loader, api.ASSIGN_TICKET, manager, at, tid, api.Assign(agent_id=agent.user_id)
            )
            await _do(loader, api.START_TICKET_WORK, agent, at, tid)
            if kind == "repair":
                used = api.SparePart(
                    part="Mechanical seal",
                    quantity=Decimal(rng.randint(1, 3)),
                    unit_price=Decimal(380),
                )
                await _do(loader, api.RECORD_SPARE_PART, agent, at, tid, used)
                labour = api.Charge(description="On-site labour", amount=Decimal(600))
                await _do(loader, api.RECORD_SERVICE_CHARGE, agent, at, tid, labour)
            done = at + timedelta(hours=rng.choice((20, 50, 90, 140)))
            if done >= loader.now or i % 6 == 4:
                continue  # in progress
            await _do(loader, api.RESOLVE_TICKET, agent, done, tid, api.Note(note="Fixed"))
            if rng.random() < 0.7:
                praise = rng.random() < 0.7
                verdict = api.Feedback(
                    kind="praise" if praise else "complaint",
                    score=rng.randint(4, 5) if praise else rng.randint(1, 2),
                    comment="",
                )
                await _do(loader, api.GIVE_TICKET_FEEDBACK, agent, done, tid, verdict)
            if i % 3 == 0:
                await _do(loader, api.CLOSE_TICKET, agent, done, tid)
    return made
