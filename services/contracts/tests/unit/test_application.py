"""The command table over an in-memory stand-in for the event store, run as its routes run it
(crm_platform.commands.perform): visibility, the record-dependent rules, idempotency, the
won-opportunity reaction and the scheduled overdue check."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from crm_api import Route
from crm_api import contracts as api
from crm_contracts.checks import check_overdue, settings_for
from crm_contracts.commands import COMMANDS
from crm_contracts.domain import settings as s
from crm_contracts.domain.contract import contract_id_for
from crm_contracts.reactions import draft_from_won
from crm_events import Envelope, Metadata, to_data
from crm_events.opportunities import OpportunityLine, OpportunityWon, TeamShare
from crm_platform.auth import Actor
from crm_platform.commands import Accepted, Request
from crm_platform.domain import DomainError, NotFound
from crm_platform.handler import handle
from crm_platform.testing import MemoryStore, Table, request

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
D = Decimal
REP = Actor("alice", "sales_rep", "SH01")
MANAGER = Actor("mia", "branch_manager", "SH01")
OTHER = Actor("bo", "sales_rep", "BJ02")
OTHER_MANAGER = Actor("ben", "branch_manager", "BJ02")
AUDITOR = Actor("aud", "auditor", "HQ")
LINE = api.ContractLine(
    line_id="1",
    product="Pump P-200",
    product_line="pumps",
    quantity=D(3),
    unit_price=D("1000.00"),
    unit_cost=D("700.00"),
)
TABLE = Table.of("contracts", COMMANDS)


def req(actor: Actor, days: float = 0, key: str | None = None) -> Request:
    return request(actor, T0 + timedelta(days=days), key)


async def do(
    store: MemoryStore,
    route: Route,
    actor: Actor,
    contract_id: str | None = None,
    body: Any = None,
    *,
    days: float = 0,
    key: str | None = None,
) -> Accepted:
    path = {"contract_id": contract_id} if contract_id else None
    return await TABLE.command(store, route, req(actor, days, key), path, body)


async def show(store: MemoryStore, actor: Actor, contract_id: str) -> tuple[dict[str, Any], int]:
    return await TABLE.read(store, api.GET_CONTRACT, req(actor), {"contract_id": contract_id})


DRAFT = api.DraftContract(account_id="a1", currency="CNY", lines=[LINE], payment_terms="net 30")


async def signed_contract(store: MemoryStore, first_due: date = date(2026, 12, 1)) -> str:
    k = (await do(store, api.DRAFT_CONTRACT, REP, body=DRAFT)).id
    plan = api.EvenPlan(count=3, first_due=first_due)
    await do(store, api.SET_EVEN_PAYMENT_PLAN, REP, k, plan)
    await do(store, api.SUBMIT_CONTRACT, REP, k)
    await do(store, api.APPROVE_CONTRACT, MANAGER, k)
    await do(store, api.SIGN_CONTRACT, REP, k)
    return k


def test_the_table_serves_every_contracts_route_once() -> None:
    assert [spec.route for spec in COMMANDS] == list(api.ROUTES)


async def test_a_contract_goes_from_draft_to_signed_through_the_roles() -> None:
    store = MemoryStore()
    k = await signed_contract(store)
    body, version = await show(store, MANAGER, k)
    assert (body["id"], body["status"], body["amount"], version) == (k, "signed", 3000.0, 5)
    assert [i["amount"] for i in body["instalments"]] == [1000.0] * 3


async def test_only_the_branch_manager_of_the_contracts_branch_approves() -> None:
    store = MemoryStore()
    k = (await do(store, api.DRAFT_CONTRACT, REP, body=DRAFT)).id
    await do(store, api.SET_EVEN_PAYMENT_PLAN, REP, k, api.EvenPlan(count=1, first_due=T0.date()))
    await do(store, api.SUBMIT_CONTRACT, REP, k)
    with pytest.raises(DomainError, match="Only a branch manager of SH01"):
        await do(store, api.APPROVE_CONTRACT, REP, k)
    with pytest.raises(NotFound):  # another branch's manager does not see it at all
        await do(store, api.APPROVE_CONTRACT, OTHER_MANAGER, k)
    await do(store, api.REJECT_CONTRACT, MANAGER, k, api.ContractReason(reason="Margin too low"))
    assert store.types(f"contract-{k}")[-1] == "ContractRejected"


async def test_another_branch_does_not_see_the_contract() -> None:
    store = MemoryStore()
    k = await signed_contract(store)
    with pytest.raises(NotFound, match="no such contract"):
        await show(store, OTHER, k)
    with pytest.raises(NotFound):
        await do(store, api.START_CONTRACT_EXECUTION, OTHER, k)
    with pytest.raises(NotFound):
        await do(store, api.START_CONTRACT_EXECUTION, REP, "no-such-contract")
    assert (await show(store, AUDITOR, k))[0]["id"] == k


async def test_a_repeated_request_answers_the_first_result() -> None:
    store = MemoryStore()
    first = await do(store, api.DRAFT_CONTRACT, REP, body=DRAFT, key="d1")
    again = await do(store, api.DRAFT_CONTRACT, REP, body=DRAFT, key="d1")
    assert (again.id, again.version) == (first.id, 1) and len(store.streams) == 1
    payment = api.Payment(instalment=1, amount=D(100), received_at=T0)
    k = await signed_contract(store)
    await do(store, api.START_CONTRACT_EXECUTION, REP, k)
    paid = await do(store, api.RECORD_CONTRACT_PAYMENT, REP, k, payment, key="p1")
    assert (await do(store, api.RECORD_CONTRACT_PAYMENT, REP, k, payment, key="p1")) == paid
    assert store.types(f"contract-{k}").count("ContractPaymentReceived") == 1


async def test_an_amendment_keeps_line_ids_and_names_new_lines() -> None:
    store = MemoryStore()
    k = await signed_contract(store)
    added = LINE.model_copy(update={"line_id": None, "product": "Valve"})
    plan = [
        api.InstalmentBody(number=1, due=date(2026, 12, 1), amount=D("1000.00")),
        api.InstalmentBody(number=2, due=date(2027, 1, 1), amount=D("1000.00")),
        api.InstalmentBody(number=3, due=date(2027, 2, 1), amount=D("4000.00")),
    ]
    amend = api.Amend(reason="A valve too", lines=[LINE, added], instalments=plan)
    await do(store, api.AMEND_CONTRACT, REP, k, amend)
    body, _ = await show(store, REP, k)
    [kept, new] = body["lines"]
    assert kept["line_id"] == "1" and new["line_id"] not in ("", None, "1")
    assert [v["version"] for v in body["versions"]] == [1, 2]


WON = OpportunityWon(
    "o1", "a1", "SH01", "alice", D("3000.00"), "CNY",
    (OpportunityLine("Pump P-200", "pumps", D(3), D("1000.00")),),
    (TeamShare("alice", D(100)),), None, "c1", T0,
)  # fmt: skip


def won_envelope() -> Envelope:
    metadata = Metadata("alice", "sales_rep", "SH01", "corr-1")
    return Envelope(
        uuid4(), "OpportunityWon", 1, "opportunity-o1", 9, 42, T0, T0, to_data(WON), metadata
    )


async def test_a_won_opportunity_drafts_its_contract_once() -> None:
    store = MemoryStore()
    envelope = won_envelope()
    first = await draft_from_won(store, envelope)
    assert first.id == contract_id_for("o1")
    again = await draft_from_won(store, envelope)  # delivered twice
    resent = await draft_from_won(store, won_envelope())  # published again
    assert first.version == again.version == resent.version == 1
    [drafted] = store.streams[f"contract-{first.id}"]
    assert drafted.metadata.causation_id == str(envelope.event_id)
    assert drafted.metadata.actor_id == "alice"


async def set_bad_debt_days(store: MemoryStore, scope: str, days: int) -> None:
    await handle(
        store,
        s.contract_settings,
        s.stream_id(scope),
        s.ChangeContractSettings(scope, days, T0),
        metadata=Metadata("root", "admin", "HQ", "settings"),
        occurred_at=T0,
    )


async def test_the_overdue_check_flags_once_and_uses_the_branch_threshold() -> None:
    store = MemoryStore()
    k = await signed_contract(store, first_due=date(2026, 11, 10))
    await set_bad_debt_days(store, "SH01", 10)
    assert (await settings_for(store, "SH01")).bad_debt_days == 10
    assert (await settings_for(store, "BJ02")).bad_debt_days == 60
    await set_bad_debt_days(store, "company", 90)
    assert (await settings_for(store, "BJ02")).bad_debt_days == 90
    assert await check_overdue(store, datetime(2026, 11, 10, tzinfo=UTC)) == []
    accepted = await check_overdue(store, datetime(2026, 11, 25, tzinfo=UTC))
    assert [a.id for a in accepted] == [k]
    assert store.types(f"contract-{k}")[-2:] == ["InstalmentOverdue", "ContractBadDebtRiskRaised"]
    store.reads.clear()
    assert await check_overdue(store, datetime(2026, 11, 26, tzinfo=UTC)) == []
    assert store.reads.count(f"contract-{k}") == 1  # nothing to record: read once, no append
    payment = api.Payment(
        instalment=1, amount=D("1000.00"), received_at=datetime(2026, 12, 2, tzinfo=UTC)
    )
    await do(store, api.RECORD_CONTRACT_PAYMENT, REP, k, payment, days=30)
    assert store.types(f"contract-{k}")[-1] == "InstalmentOverdueSettled"


async def test_the_check_reads_no_draft_and_no_closed_contract() -> None:
    store = MemoryStore()
    draft = (await do(store, api.DRAFT_CONTRACT, REP, body=DRAFT)).id
    k = await signed_contract(store)
    await do(store, api.START_CONTRACT_EXECUTION, REP, k)
    delivery = api.Delivery(line_id="1", quantity=D(3))
    await do(store, api.RECORD_CONTRACT_DELIVERY, REP, k, delivery)
    await do(store, api.COMPLETE_CONTRACT, REP, k)
    for n in (1, 2, 3):
        payment = api.Payment(instalment=n, amount=D("1000.00"), received_at=T0)
        await do(store, api.RECORD_CONTRACT_PAYMENT, REP, k, payment)
    await do(store, api.CLOSE_CONTRACT, REP, k)
    store.reads.clear()
    assert await check_overdue(store, T0 + timedelta(days=400)) == []
    assert not {f"contract-{draft}", f"contract-{k}"} & set(store.reads)
