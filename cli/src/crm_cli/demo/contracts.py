"""The demo's contracts: every won deal's contract with its plan, payments and arrears."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from crm_api import Route
from crm_api import contracts as api
from crm_contracts.commands import COMMANDS
from crm_contracts.reactions import draft_from_won
from crm_platform.auth import Actor
from crm_platform.commands import Accepted

from crm_cli.demo.script import CENT, Loader, people

SPECS = {spec.route: spec for spec in COMMANDS}


async def _do(
    loader: Loader, route: Route, actor: Actor, at: datetime, cid: str, body: object = None
) -> Accepted:
    return await loader.do("contracts", SPECS[route], actor, at, {"contract_id": cid}, body)


async def _show(loader: Loader, actor: Actor, cid: str) -> dict[str, Any]:
    shown = await loader.show("contracts", SPECS[api.GET_CONTRACT], actor, {"contract_id": cid})
    body: dict[str, Any] = shown[0]
    return body


def _decimal(value: float) -> Decimal:
    return Decimal(str(value))  # the read answers numbers (floats); these are exact


def _money(value: float) -> Decimal:
    return _decimal(value).quantize(CENT)


async def contracts(loader: Loader, rng: random.Random) -> int:
    """Every won opportunity's contract (as the contracts context drafts it from OpportunityWon),
    with an instalment plan, approved, signed and in execution; most instalments due so far are
    paid, some late, some not at all (the overdue check flags those when the system runs)."""
    won = [
        e
        for e in await loader.stores["opportunities"].read_all(0, limit=1_000_000)
        if e.type == "OpportunityWon"
    ]
    made = 0
    for envelope in won:
        drafted = await loader.run("draft", draft_from_won(loader.stores["contracts"], envelope))
        cid = drafted.id
        branch = envelope.data["branch"]
        _, _, manager = people(branch)
        rep = Actor(envelope.data["owner_id"], "sales_rep", branch)
        at = datetime.fromisoformat(envelope.data["won_at"]) + timedelta(days=2)
        if at >= loader.now:
            continue
        draft = await _show(loader, rep, cid)
        costed = [  # the goods cost 55-80 % of their price: margins differ by deal
            api.ContractLine(
                line_id=line["line_id"],
                product=line["product"],
                product_line=line["product_line"],
                quantity=_decimal(line["quantity"]),
                unit_price=_money(line["unit_price"]),
                unit_cost=(_money(line["unit_price"]) * rng.randint(55, 80) / 100).quantize(CENT),
            )
            for line in draft["lines"]
        ]
        revised = api.ReviseDraft(lines=costed, payment_terms=draft["payment_terms"])
        await _do(loader, api.REVISE_CONTRACT_DRAFT, rep, at, cid, revised)
        plan = api.EvenPlan(count=3, first_due=(at + timedelta(days=30)).date(), every_months=2)
        await _do(loader, api.SET_EVEN_PAYMENT_PLAN, rep, at, cid, plan)
        await _do(loader, api.SUBMIT_CONTRACT, rep, at, cid)
        await _do(loader, api.APPROVE_CONTRACT, manager, at, cid)
        await _do(loader, api.SIGN_CONTRACT, rep, at, cid)
        await _do(loader, api.START_CONTRACT_EXECUTION, rep, at, cid)
        made += 1
        for instalment in (await _show(loader, rep, cid))["instalments"]:
            due = datetime.combine(date.fromisoformat(instalment["due"]), datetime.min.time(), UTC)
            fate = rng.random()
            if due >= loader.now or fate < 0.15:
                continue  # not due yet, or never paid: overdue
            paid_at = due + timedelta(days=rng.choice((-3, 0, 5, 40)) if fate < 0.5 else -1)
            if paid_at >= loader.now:
                continue
            payment = api.Payment(
                instalment=instalment["number"],
                amount=_money(instalment["amount"]),
                received_at=paid_at,
                reference=f"BANK-{made}-{instalment['number']}",
            )
            await _do(loader, api.RECORD_CONTRACT_PAYMENT, rep, paid_at, cid, payment)
    return made
