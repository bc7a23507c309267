"""The demo's leads context: the organisation tree, customer accounts, campaigns and leads."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal

from crm_api import Route
from crm_api import leads as api
from crm_leads.commands import COMMANDS
from crm_platform.auth import Actor
from crm_platform.commands import Accepted

from crm_cli.demo.script import BRANCHES, COMPANIES, REGIONS, Loader, people

SPECS = {spec.route: spec for spec in COMMANDS}
Size = Literal["small", "medium", "large", "enterprise"]
SIZES: tuple[Size, ...] = ("large", "medium", "enterprise", "small")
KINDS: tuple[Literal["trade_show", "webinar", "direct_mail", "seminar"], ...] = (
    "trade_show",
    "webinar",
    "direct_mail",
    "seminar",
)
SOURCES: tuple[Literal["website_form", "referral", "cold_call", "partner"], ...] = (
    "website_form",
    "referral",
    "cold_call",
    "partner",
)


async def _do(
    loader: Loader,
    route: Route,
    actor: Actor,
    at: datetime,
    path: dict[str, str] | None = None,
    body: object = None,
) -> Accepted:
    return await loader.do("leads", SPECS[route], actor, at, path, body)


async def organisation(loader: Loader) -> None:
    """The tree: each branch placed in its region a little over a year ago."""
    admin = Actor("demo-admin", "admin", "HQ")
    at = loader.now - timedelta(days=400)
    for region, branches in REGIONS.items():
        for branch in branches:
            await _do(
                loader, api.PLACE_BRANCH, admin, at, {"branch": branch}, api.Region(region=region)
            )


async def accounts(loader: Loader) -> dict[tuple[str, str], str]:
    """Every company a customer of every branch (the deals, contracts and tickets are theirs)."""
    opened: dict[tuple[str, str], str] = {}
    at = loader.now - timedelta(days=380)
    for branch in BRANCHES:
        rep1, rep2, _ = people(branch)
        for i, company in enumerate(COMPANIES):
            account = api.OpenAccount(
                branch=branch,
                company=company,
                industry=("steel", "paper", "food", "chemicals")[i % 4],
                size=SIZES[i % 4],
                credit_limit=Decimal(500_000),
                payment_days=60,
            )
            made = await _do(loader, api.OPEN_ACCOUNT, rep1 if i % 2 else rep2, at, body=account)
            opened[company, branch] = made.id
    return opened


async def _campaigns(loader: Loader, rng: random.Random, branch: str) -> list[str]:
    """Four campaigns: two completed, one running, one waiting for the manager's approval."""
    _, _, manager = people(branch)
    marketer = Actor(f"{branch.lower()}-marketing", "marketing", branch)
    made = []
    for n, kind in enumerate(KINDS):
        start = loader.now - timedelta(days=300 - 60 * n)
        plan = api.PlanCampaign(
            campaign_type=kind,
            theme=f"{kind.replace('_', ' ').title()} {start.year}",
            segment=rng.choice(("chemicals", "food", "utilities", "mining")),
            starts_on=start.date(),
            ends_on=(start + timedelta(days=2)).date(),
            budget=Decimal(rng.choice((20000, 50000, 80000))),
            branch=None,
        )
        cid = (
            await _do(loader, api.PLAN_CAMPAIGN, marketer, start - timedelta(days=30), body=plan)
        ).id
        made.append(cid)
        path = {"campaign_id": cid}
        at = start - timedelta(days=20)
        await _do(loader, api.SUBMIT_CAMPAIGN, marketer, at, path)
        if n == 3:
            continue  # still waiting for the manager
        await _do(loader, api.APPROVE_CAMPAIGN, manager, at, path)
        await _do(loader, api.START_CAMPAIGN, marketer, start, path)
        cost = api.Cost(amount=Decimal(rng.randint(8000, 60000)), what="venue and material")
        await _do(loader, api.RECORD_CAMPAIGN_COST, marketer, start, path, cost)
        came = api.Participants(participants=rng.randint(30, 400))
        await _do(loader, api.RECORD_CAMPAIGN_PARTICIPANTS, marketer, start, path, came)
        if n < 2:
            await _do(loader, api.COMPLETE_CAMPAIGN, marketer, start + timedelta(days=3), path)
    return made


async def campaigns_and_leads(loader: Loader, rng: random.Random) -> int:
    """Per branch: campaigns in every state with costs, ~50 leads from them and other sources in
    every state, conversions opening accounts (the opportunities context opens their deals)."""
    made = 0
    for branch in BRANCHES:
        rep1, rep2, manager = people(branch)
        marketer = Actor(f"{branch.lower()}-marketing", "marketing", branch)
        roster = api.Roster(reps=[rep1.user_id, rep2.user_id], follow_up_hours=48)
        at = loader.now - timedelta(days=365)
        await _do(loader, api.SET_LEAD_ROSTER, manager, at, {"branch": branch}, roster)
        campaign_ids = await _campaigns(loader, rng, branch)
        for i in range(50):
            company = f"{rng.choice(COMPANIES)} {rng.choice(('Group', 'Works', 'Trading', 'Holdings'))} {i}"
            captured_at = loader.now - timedelta(days=rng.randint(5, 280))
            from_campaign = rng.random() < 0.5
            lead = api.CaptureLead(
                source="campaign" if from_campaign else rng.choice(SOURCES),
                campaign_id=rng.choice(campaign_ids[:3]) if from_campaign else None,
                company=company,
                contact_name=f"Contact {i}",
                email=f"buyer{i}@{branch.lower()}-demo.cn",
                phone=None,
                branch=None,
            )
            captor = marketer if from_campaign else rep1
            path = {
                "lead_id": (await _do(loader, api.CAPTURE_LEAD, captor, captured_at, body=lead)).id
            }
            made += 1
            fate = rng.random()
            if fate < 0.1:
                continue  # new, not yet assigned
            at = captured_at + timedelta(hours=2)
            await _do(loader, api.AUTO_ASSIGN_LEAD, manager, at, path)
            if fate < 0.2:
                continue  # assigned; some of these miss their follow-up (the check flags them)
            shown, _ = await loader.show("leads", SPECS[api.GET_LEAD], manager, path)
            actor = Actor(shown["assignee"], "sales_rep", branch)
            at += timedelta(hours=rng.randint(3, 40))
            call = api.FollowUp(channel="call", note="first call")
            await _do(loader, api.LOG_LEAD_FOLLOW_UP, actor, at, path, call)
            if fate < 0.35:
                why = api.CampaignOrLeadReason(reason="not ready to buy")
                await _do(loader, api.NURTURE_LEAD, marketer, at, path, why)
            elif fate < 0.5:
                why = api.CampaignOrLeadReason(reason="no budget")
                await _do(loader, api.DISQUALIFY_LEAD, actor, at, path, why)
            else:
                at += timedelta(days=rng.randint(2, 15))
                await _do(loader, api.QUALIFY_LEAD, actor, at, path)
                if fate < 0.8 and at < loader.now:
                    sizes: tuple[Size, ...] = ("small", "medium", "large")
                    deal = api.ConvertLead(
                        account_id=None,
                        opportunity_name=f"{company}: first order",
                        amount=Decimal(rng.randint(2, 40) * 5000),
                        currency="CNY",
                        expected_close=(at + timedelta(days=90)).date(),
                        industry=rng.choice(("steel", "food", "utilities", "mining", "chemicals")),
                        size=rng.choice(sizes),
                    )
                    await _do(loader, api.CONVERT_LEAD, actor, at, path, deal)
    return made
