"""The demo's contracts: every won deal's contract with its plan, payments and arrears."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from crm_contracts.application import commands as contract_commands
from crm_contracts.application.queries import get_contract
from crm_contracts.application.reactions import draft_from_opportunity_won
from crm_platform.auth import Actor

from crm_cli.demo.script import CENT, Loader, people


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
