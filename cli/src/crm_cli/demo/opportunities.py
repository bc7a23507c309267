"""The demo's opportunities: deals in every stage and outcome, and the year's quotas."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from crm_api import Route
from crm_api import opportunities as api
from crm_opportunities.commands import COMMANDS
from crm_platform.auth import Actor
from crm_platform.commands import Accepted

from crm_cli.demo.script import BRANCHES, COMPANIES, COMPETITORS, PRODUCTS, Loader, people

SPECS = {spec.route: spec for spec in COMMANDS}


async def _do(
    loader: Loader,
    route: Route,
    actor: Actor,
    at: datetime,
    oid: str | None = None,
    body: object = None,
) -> Accepted:
    path = {"opportunity_id": oid} if oid else None
    return await loader.do("opportunities", SPECS[route], actor, at, path, body)


async def opportunities(
    loader: Loader, rng: random.Random, customers: dict[tuple[str, str], str]
) -> int:
    made = 0
    for branch in BRANCHES:
        rep1, rep2, manager = people(branch)
        for i in range(25):
            rep = rep1 if i % 2 else rep2
            opened = loader.now - timedelta(days=rng.randint(20, 360))
            product, line, price = rng.choice(PRODUCTS)
            qty = Decimal(rng.randint(1, 6))
            company = rng.choice(COMPANIES)
            deal = [
                api.OpportunityLine(
                    product=product, product_line=line, quantity=qty, unit_price=price
                )
            ]
            accepted = await _do(
                loader,
                api.OPEN,
                rep,
                opened,
                body=api.OpenOpportunity(
                    account_id=customers[company, branch],
                    name=f"{company}: {product}",
                    amount=price * qty,
                    currency="CNY",
                    expected_close=(opened + timedelta(days=rng.randint(60, 200))).date(),
                    branch=None,
                    lead_id=None,
                    campaign_id=None,
                    lines=deal,
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
                await _do(loader, api.CHANGE_STAGE, rep, at, oid, api.ChangeStage(stage=stage))
                if stage == "bidding":
                    await _do(
                        loader,
                        api.COMPETITOR,
                        rep,
                        at,
                        oid,
                        api.TrackCompetitor(
                            competitor=rng.choice(COMPETITORS),
                            their_quote=price * qty * Decimal("0.93"),
                            strategy="price",
                        ),
                    )
                    discount = Decimal(rng.choice((0, 5, 8, 12, 15)))
                    quote = api.QuoteLine(
                        product=product,
                        product_line=line,
                        quantity=qty,
                        unit_price=price,
                        discount_percent=discount,
                    )
                    await _do(loader, api.QUOTE_ADD, rep, at, oid, api.AddQuote(lines=[quote]))
            if i % 5 == 0:
                team = [
                    api.Member(user_id=rep.user_id, share=Decimal(70)),
                    api.Member(user_id=manager.user_id, share=Decimal(30)),
                ]
                await _do(loader, api.TEAM, manager, at, oid, api.SetTeam(team=team))
            await _close(loader, rng, (rep, manager), oid, at, depth == 3, price * qty)
    return made


async def _close(
    loader: Loader,
    rng: random.Random,
    people: tuple[Actor, Actor],
    oid: str,
    at: datetime,
    negotiated: bool,
    value: Decimal,
) -> None:
    """Some weeks later the deal is won (always, once negotiated to the end), lost with its
    summary, suspended, or still open."""
    rep, manager = people
    outcome_at = at + timedelta(days=rng.randint(5, 30))
    if outcome_at >= loader.now:
        return
    fate = rng.random()
    if negotiated or fate < 0.15:
        await _do(loader, api.WIN, rep, outcome_at, oid)
    elif fate < 0.35:
        reason = rng.choice(("price", "competitor", "timing", "no_decision"))
        competitor = rng.choice(COMPETITORS) if reason == "competitor" else None
        lost = api.Lose.model_validate(
            {
                "reason": reason,
                "competitor": competitor,
                "competitor_price": value * Decimal("0.9") if competitor else None,
            }
        )
        await _do(loader, api.LOSE, rep, outcome_at, oid, lost)
        summary = api.CloseSummary(
            reason=reason,
            competitor=competitor,
            competitor_price=None,
            lessons="Engage the technical evaluator earlier.",
        )
        await _do(loader, api.SUMMARY, manager, outcome_at, oid, summary)
    elif fate < 0.42:
        paused = api.OpportunityReason(reason="Customer budget frozen")
        await _do(loader, api.SUSPEND, rep, outcome_at, oid, paused)


async def quotas(loader: Loader) -> None:
    hq = Actor("hq-planning", "hq_analyst", "HQ")
    year = loader.now.year
    start = datetime(year, 1, 2, tzinfo=UTC)
    for n, branch in enumerate(BRANCHES):
        target = Decimal(6_000_000 + 1_000_000 * n)
        await _do(
            loader,
            api.QUOTA_SET,
            hq,
            start,
            body=api.SetQuota(
                year=year,
                dimension="branch",
                key=branch,
                branch=branch,
                annual=target,
                last_year_months=None,
            ),
        )
        for rep in people(branch)[:2]:
            await _do(
                loader,
                api.QUOTA_SET,
                hq,
                start,
                body=api.SetQuota(
                    year=year,
                    dimension="rep",
                    key=rep.user_id,
                    branch=branch,
                    annual=Decimal(2_400_000),
                    last_year_months=None,
                ),
            )


async def sales_settings(loader: Loader) -> None:
    """One branch works its own pipeline: Hangzhou's deals close later in the cycle, so its
    manager weights the early stages lower than the company's default."""
    manager = people("HZ01")[2]
    stages = (("prospecting", 5), ("bidding", 30), ("negotiation", 60), ("won", 100))
    pipeline = [api.Stage(stage=s, probability=Decimal(p)) for s, p in stages]
    settings = api.SalesSettings(pipeline=pipeline, discount_threshold_percent=None)
    at = loader.now - timedelta(days=390)
    await loader.do("opportunities", SPECS[api.SETTINGS], manager, at, {"scope": "HZ01"}, settings)
