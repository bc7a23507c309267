"""Demo data: a living company for a newcomer to look at, loaded once and idempotently.

Six branches in three regions, their reps, managers and marketers, quotas, campaigns in every
state with their costs, some 300 leads in every state (their conversions open accounts, and the
opportunities context opens their deals when the system runs), opportunities in every stage and
outcome, and the contracts of the won ones with their instalments, payments and arrears, all with
a year of history. It runs the contexts' own application functions (the code path
of the API, without HTTP) with backdated request times, so stage durations, conversion rates and
the forecast have something to measure. Every command carries an idempotency key derived from the
seed and its place in the script, so a load cut short finishes where it stopped; a finished load
is recorded and never run again, whatever users changed since. `crm run` loads it when the
database is new (`CRM_DEMO=0` switches it off).
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from crm_contracts.application import commands as contract_commands
from crm_contracts.application.queries import get_contract
from crm_contracts.application.reactions import draft_from_opportunity_won
from crm_events.opportunities import OpportunityLine, QuoteLine, TeamShare
from crm_leads.application import commands as leads
from crm_leads.domain import campaign as cp
from crm_leads.domain import lead as ld
from crm_opportunities.application import commands as opp
from crm_platform.auth import Actor
from crm_platform.commands import Request
from crm_platform.domain import DomainError
from crm_platform.eventstore.postgres import PostgresEventStore, open_pool
from crm_platform.handler import load as load_stream
from crm_service_desk.application import commands as service_desk

REGIONS = {
    "east": ("SH01", "HZ01"),
    "north": ("BJ01", "TJ01"),
    "south": ("GZ01", "SZ01"),
}
BRANCHES = tuple(b for bs in REGIONS.values() for b in bs)
CENT = Decimal("0.01")
DEMO_NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)  # the demo's histories end here
PRODUCTS = (
    ("PX-200 pump", "pumps", Decimal(48000)),
    ("PX-500 pump", "pumps", Decimal(125000)),
    ("VC-10 valve set", "valves", Decimal(9800)),
    ("Control cabinet", "automation", Decimal(86000)),
    ("Service plan (1 year)", "services", Decimal(24000)),
)
COMPANIES = (
    "Huadong Steel",
    "Jiangnan Paper",
    "Pearl River Foods",
    "Bohai Chemicals",
    "Xinghe Textiles",
    "Changjiang Water",
    "Kunlun Mining",
    "Minjiang Pharma",
    "Taihu Electronics",
    "Lingnan Ceramics",
)
COMPETITORS = ("Acme Pumps", "Flowmax", "Sino Hydraulics")


@dataclass
class Loader:
    stores: dict[str, PostgresEventStore]
    seed: int = 42
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    counter: int = 0
    done: int = 0

    def request(self, actor: Actor, at: datetime) -> Request:
        self.counter += 1
        return Request(
            actor, f"demo-{self.seed}", at, idempotency_key=f"demo-{self.seed}-{self.counter}"
        )

    async def run(self, label: str, step: Awaitable[Any]) -> Any:
        try:
            result = await step
            self.done += 1
            return result
        except DomainError as exc:  # a rule refused a scripted step: the script is wrong
            raise RuntimeError(f"demo step {label} refused: {exc.message}") from exc


def people(branch: str) -> tuple[Actor, Actor, Actor]:
    return (
        Actor(f"{branch.lower()}-rep-1", "sales_rep", branch),
        Actor(f"{branch.lower()}-rep-2", "sales_rep", branch),
        Actor(f"{branch.lower()}-manager", "branch_manager", branch),
    )


async def organisation(loader: Loader) -> None:
    """The tree: each branch placed in its region a little over a year ago."""
    admin = Actor("demo-admin", "admin", "HQ")
    at = loader.now - timedelta(days=400)
    for region, branches in REGIONS.items():
        for branch in branches:
            await loader.run(
                "place",
                leads.place_branch(
                    loader.stores["leads"], loader.request(admin, at), branch, region
                ),
            )


async def accounts(loader: Loader) -> dict[tuple[str, str], str]:
    """Every company a customer of every branch (the deals, contracts and tickets are theirs)."""
    opened: dict[tuple[str, str], str] = {}
    at = loader.now - timedelta(days=380)
    for branch in BRANCHES:
        rep1, rep2, _ = people(branch)
        for i, company in enumerate(COMPANIES):
            made = await loader.run(
                "account",
                leads.open_account(
                    loader.stores["leads"],
                    loader.request(rep1 if i % 2 else rep2, at),
                    branch=branch,
                    company=company,
                    industry=("steel", "paper", "food", "chemicals")[i % 4],
                    size=("large", "medium", "enterprise", "small")[i % 4],
                    credit_limit=Decimal(500_000),
                    payment_days=60,
                ),
            )
            opened[company, branch] = made.id
    return opened


async def opportunities(
    loader: Loader, rng: random.Random, customers: dict[tuple[str, str], str]
) -> int:
    store = loader.stores["opportunities"]
    made = 0
    for branch in BRANCHES:
        rep1, rep2, manager = people(branch)
        for i in range(25):
            rep = rep1 if i % 2 else rep2
            opened = loader.now - timedelta(days=rng.randint(20, 360))
            product, line, price = rng.choice(PRODUCTS)
            qty = Decimal(rng.randint(1, 6))
            company = rng.choice(COMPANIES)
            accepted = await loader.run(
                "open",
                opp.open_opportunity(
                    store,
                    loader.request(rep, opened),
                    account_id=customers[company, branch],
                    name=f"{company}: {product}",
                    amount=price * qty,
                    currency="CNY",
                    expected_close=(opened + timedelta(days=rng.randint(60, 200))).date(),
                    branch=None,
                    lines=(OpportunityLine(product, line, qty, price),),
                ),
            )
            oid = accepted.id
            made += 1
            at = opened
            stages = ("bidding", "negotiation")
            depth = rng.choices((0, 1, 2, 3), weights=(3, 3, 3, 2))[0]
            for stage in stages[: min(depth, 2)]:
                at += timedelta(days=rng.randint(10, 45))
                if at >= loader.now:
                    break
                await loader.run(
                    "stage",
                    opp.change_stage(store, loader.request(rep, at), oid, stage),
                )
                if stage == "bidding":
                    await loader.run(
                        "competitor",
                        opp.track_competitor(
                            store,
                            loader.request(rep, at),
                            oid,
                            competitor=rng.choice(COMPETITORS),
                            their_quote=price * qty * Decimal("0.93"),
                            strategy="price",
                        ),
                    )
                    discount = Decimal(rng.choice((0, 5, 8, 12, 15)))
                    await loader.run(
                        "quote",
                        opp.add_quote(
                            store,
                            loader.request(rep, at),
                            oid,
                            (QuoteLine(product, line, qty, price, discount),),
                        ),
                    )
            if i % 5 == 0:
                await loader.run(
                    "team",
                    opp.set_team(
                        store,
                        loader.request(manager, at),
                        oid,
                        (
                            TeamShare(rep.user_id, Decimal(70)),
                            TeamShare(manager.user_id, Decimal(30)),
                        ),
                    ),
                )
            outcome_at = at + timedelta(days=rng.randint(5, 30))
            if outcome_at >= loader.now:
                continue
            fate = rng.random()
            if depth == 3 or fate < 0.15:
                await loader.run("win", opp.win(store, loader.request(rep, outcome_at), oid))
            elif fate < 0.35:
                reason = rng.choice(("price", "competitor", "timing", "no_decision"))
                competitor = rng.choice(COMPETITORS) if reason == "competitor" else None
                await loader.run(
                    "lose",
                    opp.lose(
                        store,
                        loader.request(rep, outcome_at),
                        oid,
                        reason=reason,
                        competitor=competitor,
                        competitor_price=price * qty * Decimal("0.9") if competitor else None,
                    ),
                )
                await loader.run(
                    "summary",
                    opp.record_close_summary(
                        store,
                        loader.request(manager, outcome_at),
                        oid,
                        reason=reason,
                        competitor=competitor,
                        competitor_price=None,
                        lessons="Engage the technical evaluator earlier.",
                    ),
                )
            elif fate < 0.42:
                await loader.run(
                    "suspend",
                    opp.suspend(
                        store, loader.request(rep, outcome_at), oid, "Customer budget frozen"
                    ),
                )
    return made


async def campaigns_and_leads(loader: Loader, rng: random.Random) -> int:
    """Per branch: campaigns in every state with costs, ~50 leads from them and other sources in
    every state, conversions opening accounts (the opportunities context opens their deals)."""
    store = loader.stores["leads"]
    made = 0
    for branch in BRANCHES:
        rep1, rep2, manager = people(branch)
        marketer = Actor(f"{branch.lower()}-marketing", "marketing", branch)
        await loader.run(
            "roster",
            leads.set_roster(
                store,
                loader.request(manager, loader.now - timedelta(days=365)),
                branch,
                (rep1.user_id, rep2.user_id),
                48,
            ),
        )
        campaign_ids = []
        for n, kind in enumerate(("trade_show", "webinar", "direct_mail", "seminar")):
            start = loader.now - timedelta(days=300 - 60 * n)
            planned = await loader.run(
                "campaign",
                leads.plan_campaign(
                    store,
                    loader.request(marketer, start - timedelta(days=30)),
                    branch=None,
                    campaign_type=kind,
                    theme=f"{kind.replace('_', ' ').title()} {start.year}",
                    segment=rng.choice(("chemicals", "food", "utilities", "mining")),
                    starts_on=start.date(),
                    ends_on=(start + timedelta(days=2)).date(),
                    budget=Decimal(rng.choice((20000, 50000, 80000))),
                ),
            )
            cid = planned.id
            campaign_ids.append(cid)
            at = start - timedelta(days=20)
            await loader.run(
                "submit",
                leads.campaign_command(
                    store,
                    loader.request(marketer, at),
                    cid,
                    cp.Submit(marketer.user_id, at),
                    "submit",
                ),
            )
            if n == 3:
                continue  # still waiting for the manager
            await loader.run(
                "approve",
                leads.campaign_command(
                    store,
                    loader.request(manager, at),
                    cid,
                    cp.Review(True, manager.user_id, "branch_manager", "", at),
                    "approve",
                ),
            )
            await loader.run(
                "start",
                leads.campaign_command(
                    store, loader.request(marketer, start), cid, cp.Start(start), "start"
                ),
            )
            await loader.run(
                "cost",
                leads.campaign_command(
                    store,
                    loader.request(marketer, start),
                    cid,
                    cp.RecordCost(Decimal(rng.randint(8000, 60000)), "venue and material", start),
                    "cost",
                ),
            )
            await loader.run(
                "participants",
                leads.campaign_command(
                    store,
                    loader.request(marketer, start),
                    cid,
                    cp.RecordParticipants(rng.randint(30, 400), start),
                    "participants",
                ),
            )
            if n < 2:
                end = start + timedelta(days=3)
                await loader.run(
                    "complete",
                    leads.campaign_command(
                        store, loader.request(marketer, end), cid, cp.Complete(end), "complete"
                    ),
                )
        for i in range(50):
            company = f"{rng.choice(COMPANIES)} {rng.choice(('Group', 'Works', 'Trading', 'Holdings'))} {i}"
            captured_at = loader.now - timedelta(days=rng.randint(5, 280))
            from_campaign = rng.random() < 0.5
            lead = await loader.run(
                "lead",
                leads.capture_lead(
                    store,
                    loader.request(marketer if from_campaign else rep1, captured_at),
                    branch=None,
                    source="campaign"
                    if from_campaign
                    else rng.choice(("website_form", "referral", "cold_call", "partner")),
                    campaign_id=rng.choice(campaign_ids[:3]) if from_campaign else None,
                    company=company,
                    contact_name=f"Contact {i}",
                    email=f"buyer{i}@{branch.lower()}-demo.cn",
                    phone=None,
                ),
            )
            made += 1
            lid = lead.id
            fate = rng.random()
            if fate < 0.1:
                continue  # new, not yet assigned
            at = captured_at + timedelta(hours=2)
            await loader.run(
                "auto-assign", leads.auto_assign(store, loader.request(manager, at), lid)
            )
            if fate < 0.2:
                continue  # assigned; some of these miss their follow-up (the check flags them)
            rep = (await load_stream(store, ld.lead, ld.stream_id(lid))).state.assignee
            actor = Actor(rep, "sales_rep", branch)
            at += timedelta(hours=rng.randint(3, 40))
            await loader.run(
                "follow-up",
                leads.lead_command(
                    store,
                    loader.request(actor, at),
                    lid,
                    ld.LogFollowUp("call", "first call", rep, at),
                    "follow-up",
                ),
            )
            if fate < 0.35:
                await loader.run(
                    "nurture",
                    leads.lead_command(
                        store,
                        loader.request(marketer, at),
                        lid,
                        ld.Nurture("not ready to buy", marketer.user_id, at),
                        "nurture",
                    ),
                )
            elif fate < 0.5:
                await loader.run(
                    "disqualify",
                    leads.lead_command(
                        store,
                        loader.request(actor, at),
                        lid,
                        ld.Disqualify("no budget", rep, at),
                        "disqualify",
                    ),
                )
            else:
                at += timedelta(days=rng.randint(2, 15))
                await loader.run(
                    "qualify",
                    leads.lead_command(
                        store, loader.request(actor, at), lid, ld.Qualify(rep, at), "qualify"
                    ),
                )
                if fate < 0.8 and at < loader.now:
                    await loader.run(
                        "convert",
                        leads.convert_lead(
                            store,
                            loader.request(actor, at),
                            lid,
                            account_id=None,
                            opportunity_name=f"{company}: first order",
                            amount=Decimal(rng.randint(2, 40) * 5000),
                            currency="CNY",
                            expected_close=(at + timedelta(days=90)).date(),
                            industry=rng.choice(
                                ("steel", "food", "utilities", "mining", "chemicals")
                            ),
                            size=rng.choice(("small", "medium", "large")),
                        ),
                    )
    return made


async def contracts(loader: Loader, rng: random.Random) -> int:
    """Every won opportunity's contract (as the contracts context drafts it from OpportunityWon),
    with an instalment plan, approved, signed and in execution; most instalments due so far are
    paid, some late, some not at all (the overdue check flags those when the system runs)."""
    won = [
        e
        for e in await loader.stores["opportunities"].read_all(0, limit=1_000_000)
        if e.type == "OpportunityWon"
    ]
    store = loader.stores["contracts"]
    made = 0
    for envelope in won:
        drafted = await loader.run("draft", draft_from_opportunity_won(store, envelope))
        cid = drafted.id
        branch = envelope.data["branch"]
        rep, _, manager = people(branch)
        rep = Actor(envelope.data["owner_id"], "sales_rep", branch)
        at = datetime.fromisoformat(envelope.data["won_at"]) + timedelta(days=2)
        if at >= loader.now:
            continue
        drafted_state, _ = await get_contract(store, rep, cid)
        costed = tuple(  # the goods cost 55-80 % of their price: margins differ by deal
            dataclasses.replace(
                line,
                unit_cost=(line.unit_price * Decimal(rng.randint(55, 80)) / 100).quantize(CENT),
            )
            for line in drafted_state.lines
        )
        await loader.run(
            "cost",
            contract_commands.revise_draft(
                store,
                loader.request(rep, at),
                cid,
                lines=costed,
                payment_terms=drafted_state.payment_terms,
            ),
        )
        first_due = (at + timedelta(days=30)).date()
        await loader.run(
            "plan",
            contract_commands.set_even_payment_plan(
                store, loader.request(rep, at), cid, count=3, first_due=first_due, every_months=2
            ),
        )
        await loader.run(
            "submit", contract_commands.submit_contract(store, loader.request(rep, at), cid)
        )
        await loader.run(
            "approve", contract_commands.approve_contract(store, loader.request(manager, at), cid)
        )
        await loader.run(
            "sign", contract_commands.sign_contract(store, loader.request(rep, at), cid)
        )
        await loader.run(
            "start", contract_commands.start_execution(store, loader.request(rep, at), cid)
        )
        made += 1
        contract, _ = await get_contract(store, rep, cid)
        for instalment in contract.instalments:
            due = datetime.combine(instalment.due, datetime.min.time(), tzinfo=UTC)
            fate = rng.random()
            if due >= loader.now or fate < 0.15:
                continue  # not due yet, or never paid: overdue
            paid_at = due + timedelta(days=rng.choice((-3, 0, 5, 40)) if fate < 0.5 else -1)
            if paid_at >= loader.now:
                continue
            await loader.run(
                "pay",
                contract_commands.record_payment(
                    store,
                    loader.request(rep, paid_at),
                    cid,
                    instalment=instalment.number,
                    amount=instalment.amount,
                    received_at=paid_at,
                    reference=f"BANK-{made}-{instalment.number}",
                ),
            )
    return made


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


async def quotas(loader: Loader) -> None:
    store = loader.stores["opportunities"]
    hq = Actor("hq-planning", "hq_analyst", "HQ")
    year = loader.now.year
    start = datetime(year, 1, 2, tzinfo=UTC)
    for n, branch in enumerate(BRANCHES):
        await loader.run(
            "quota",
            opp.set_quota(
                store,
                loader.request(hq, start),
                year=year,
                dimension="branch",
                key=branch,
                branch=branch,
                annual=Decimal(6_000_000 + 1_000_000 * n),
                last_year_months=None,
            ),
        )
        for rep in people(branch)[:2]:
            await loader.run(
                "rep quota",
                opp.set_quota(
                    store,
                    loader.request(hq, start),
                    year=year,
                    dimension="rep",
                    key=rep.user_id,
                    branch=branch,
                    annual=Decimal(2_400_000),
                    last_year_months=None,
                ),
            )


# The demo is loaded once per database: a finished load is recorded here, and a later start skips
# it, so users' changes (a reassigned lead, a qualified one) never meet the script again. A load
# that stopped half-way is finished by the next start: its commands replay by idempotency key.
LOADS = """create table if not exists crm_demo_loads (
    seed integer primary key, loaded_at timestamptz not null default now())"""


async def load(database_url: str, seed: int = 42) -> int:
    """Load the demo data; returns the number of commands run (replays included), 0 when the
    database holds a finished load already."""
    stores: dict[str, PostgresEventStore] = {}
    for context in ("leads", "opportunities", "contracts", "service-desk"):
        pool = open_pool(database_url, max_size=2, name=f"demo-{context}")
        await pool.open()
        stores[context] = PostgresEventStore(pool, context)
        await stores[context].ensure_schema()
    loader = Loader(stores, seed, now=DEMO_NOW)
    rng = random.Random(seed)
    marks = stores["leads"].pool
    try:
        async with marks.connection() as conn:
            await conn.execute(LOADS)
            done = await conn.execute("select 1 from crm_demo_loads where seed = %s", (seed,))
            if await done.fetchone():
                return 0  # loaded before: what users changed since is theirs, never replayed
        await organisation(loader)
        customers = await accounts(loader)
        await quotas(loader)
        await opportunities(loader, rng, customers)
        await campaigns_and_leads(loader, rng)
        await contracts(loader, rng)
        await tickets(loader, rng, customers)
        async with marks.connection() as conn:
            await conn.execute("insert into crm_demo_loads (seed) values (%s)", (seed,))
    finally:
        for store in stores.values():
            await store.close()
    return loader.done


def run(database_url: str, seed: int = 42) -> int:
    return asyncio.run(load(database_url, seed))


__all__ = ["BRANCHES", "COMPANIES", "DEMO_NOW", "REGIONS", "date", "load", "run"]
