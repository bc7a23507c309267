"""The demo's leads context: the organisation tree, customer accounts, campaigns and leads."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from crm_leads.application import commands as leads
from crm_leads.domain import campaign as cp
from crm_leads.domain import lead as ld
from crm_platform.auth import Actor
from crm_platform.handler import load as load_stream

from crm_cli.demo.script import BRANCHES, COMPANIES, REGIONS, Loader, people


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
