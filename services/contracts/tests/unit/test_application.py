"""The application layer over an in-memory stand-in for the event store: roles, visibility, the
won-opportunity reaction and the scheduled overdue check with its index."""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from crm_contracts.application import commands as contracts
from crm_contracts.application import queries
from crm_contracts.application.overdue import Index, catch_up, check_overdue
from crm_contracts.application.reactions import draft_from_opportunity_won
from crm_contracts.application.settings import change_contract_settings, settings_for
from crm_contracts.domain.contract import contract_id_for
from crm_events import Envelope, Metadata, NewEvent, to_data
from crm_events.contracts import ContractLine, Instalment
from crm_events.opportunities import OpportunityLine, OpportunityWon, TeamShare
from crm_platform.auth import Actor
from crm_platform.commands import Request
from crm_platform.domain import DomainError, NotFound
from crm_platform.eventstore import AppendResult, ConcurrencyError

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
D = Decimal
REP = Actor("alice", "sales_rep", "SH01")
MANAGER = Actor("mia", "branch_manager", "SH01")
OTHER = Actor("bo", "sales_rep", "BJ02")
AUDITOR = Actor("aud", "auditor", "HQ")
ADMIN = Actor("root", "admin", "HQ")
LINES = (ContractLine("1", "Pump P-200", "pumps", D(3), D("1000.00"), D("700.00")),)


@dataclass
class MemoryStore:
    streams: dict[str, list[Envelope]] = field(default_factory=dict)
    log: list[Envelope] = field(default_factory=list)
    keys: dict[str, AppendResult] = field(default_factory=dict)

    async def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent],
        expected_version: int,
        idempotency_key: str | None = None,
    ) -> AppendResult:
        earlier = await self.idempotent_result(idempotency_key or "")
        if earlier is not None:
            return earlier
        stream = self.streams.setdefault(stream_id, [])
        if len(stream) != expected_version:
            raise ConcurrencyError(stream_id, expected_version, len(stream))
        for e in events:
            envelope = Envelope(
                e.event_id, e.type, e.schema_version, stream_id, len(stream) + 1,
                len(self.log) + 1, e.occurred_at, e.occurred_at, e.data, e.metadata,
            )  # fmt: skip
            stream.append(envelope)
            self.log.append(envelope)
        result = AppendResult(stream_id, len(stream), len(self.log))
        if idempotency_key is not None:
            self.keys[idempotency_key] = result
        return result

    async def read_stream(
        self, stream_id: str, *, up_to_version: int | None = None, as_of: datetime | None = None
    ) -> list[Envelope]:
        return list(self.streams.get(stream_id, []))

    async def read_all(self, after: int = 0, limit: int = 1000) -> list[Envelope]:
        return self.log[after : after + limit]

    async def idempotent_result(self, key: str) -> AppendResult | None:
        earlier = self.keys.get(key)
        return None if earlier is None else replace(earlier, replayed=True)

    async def close(self) -> None:
        pass

    def types(self, stream_id: str) -> list[str]:
        return [e.type for e in self.streams.get(stream_id, [])]


def req(actor: Actor, days: float = 0, key: str | None = None) -> Request:
    return Request(actor, str(uuid4()), T0 + timedelta(days=days), idempotency_key=key)


async def signed_contract(store: MemoryStore, first_due: date = date(2026, 12, 1)) -> str:
    accepted = await contracts.draft_contract(
        store, req(REP), account_id="a1", currency="CNY", lines=LINES, payment_terms="net 30"
    )
    k: str = accepted.id
    await contracts.set_even_payment_plan(store, req(REP), k, count=3, first_due=first_due)
    await contracts.submit_contract(store, req(REP), k)
    await contracts.approve_contract(store, req(MANAGER), k)
    await contracts.sign_contract(store, req(REP), k)
    return k


async def test_a_contract_goes_from_draft_to_signed_through_the_roles() -> None:
    store = MemoryStore()
    k = await signed_contract(store)
    state, version = await queries.get_contract(store, MANAGER, k)
    assert (state.status, state.amount, version) == ("signed", D("3000.00"), 5)
    assert [i.amount for i in state.instalments] == [D("1000.00")] * 3


async def test_only_the_branch_manager_approves_and_readers_do_not_write() -> None:
    store = MemoryStore()
    accepted = await contracts.draft_contract(
        store, req(REP), account_id="a1", currency="CNY", lines=LINES, payment_terms=""
    )
    with pytest.raises(DomainError, match="Only a branch manager"):
        await contracts.approve_contract(store, req(REP), accepted.id)
    with pytest.raises(DomainError, match=r"Your role \(auditor\)"):
        await contracts.submit_contract(store, req(AUDITOR), accepted.id)
    with pytest.raises(DomainError, match="terminate"):
        await contracts.terminate_contract(store, req(REP), accepted.id, "x")


async def test_another_branch_does_not_see_the_contract() -> None:
    store = MemoryStore()
    k = await signed_contract(store)
    with pytest.raises(NotFound):
        await queries.get_contract(store, OTHER, k)
    with pytest.raises(NotFound):
        await contracts.start_execution(store, req(OTHER), k)
    assert (await queries.get_contract(store, AUDITOR, k))[0].contract_id == k


async def test_versions_are_compared_side_by_side() -> None:
    store = MemoryStore()
    k = await signed_contract(store)
    more = (replace(LINES[0], quantity=D(4)),)
    plan = (
        Instalment(1, date(2026, 12, 1), D("1000.00")),
        Instalment(2, date(2027, 1, 1), D("1000.00")),
        Instalment(3, date(2027, 2, 1), D("2000.00")),
    )
    await contracts.amend_contract(
        store, req(REP), k, reason="One more", lines=more, instalments=plan
    )
    d = await queries.compare_versions(store, REP, k, 1, 2)
    assert (d.amount_change, len(d.changed)) == (D("1000.00"), 1)
    with pytest.raises(DomainError) as error:
        await queries.compare_versions(store, REP, k, 1, 3)
    assert error.value.field == "version_b"


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
    first = await draft_from_opportunity_won(store, envelope)
    assert first.id == contract_id_for("o1")
    again = await draft_from_opportunity_won(store, envelope)  # the same delivery twice
    resent = await draft_from_opportunity_won(
        store, WON, event_id=uuid4(), cause=envelope.metadata
    )  # the same deal published again
    assert first.version == again.version == resent.version == 1
    [drafted] = store.streams[f"contract-{first.id}"]
    assert drafted.metadata.causation_id == str(envelope.event_id)
    assert drafted.metadata.actor_id == "alice"


async def test_the_overdue_check_flags_once_and_uses_the_branch_threshold() -> None:
    store = MemoryStore()
    k = await signed_contract(store, first_due=date(2026, 11, 10))
    await change_contract_settings(store, req(MANAGER), "SH01", bad_debt_days=10)
    assert (await settings_for(store, "SH01")).bad_debt_days == 10
    assert (await settings_for(store, "BJ02")).bad_debt_days == 60
    index, accepted = await check_overdue(store, datetime(2026, 11, 10, tzinfo=UTC), Index())
    assert accepted == [] and k in index.contracts
    index, accepted = await check_overdue(store, datetime(2026, 11, 25, tzinfo=UTC), index)
    assert [a.id for a in accepted] == [k]
    assert store.types(f"contract-{k}")[-2:] == ["InstalmentOverdue", "ContractBadDebtRiskRaised"]
    index, accepted = await check_overdue(store, datetime(2026, 11, 26, tzinfo=UTC), index)
    assert accepted == []  # nothing new to record: not even a stream read
    await contracts.record_payment(
        store, req(REP, days=30), k, instalment=1, amount=D("1000.00"),
        received_at=datetime(2026, 12, 2, tzinfo=UTC), reference="TT-9",
    )  # fmt: skip
    assert store.types(f"contract-{k}")[-1] == "InstalmentOverdueSettled"


async def test_settings_are_changed_by_admins_and_the_branchs_manager_only() -> None:
    store = MemoryStore()
    with pytest.raises(DomainError, match="Only an administrator"):
        await change_contract_settings(store, req(REP), "SH01", bad_debt_days=30)
    with pytest.raises(DomainError, match="Only an administrator"):
        await change_contract_settings(store, req(MANAGER), "company", bad_debt_days=30)
    await change_contract_settings(store, req(ADMIN), "company", bad_debt_days=90)
    assert (await settings_for(store, "BJ02")).bad_debt_days == 90


async def test_a_finished_contract_leaves_the_index() -> None:
    store = MemoryStore()
    k = await signed_contract(store)
    await contracts.start_execution(store, req(REP), k)
    await contracts.record_delivery(store, req(REP), k, line_id="1", quantity=D(3))
    await contracts.complete_contract(store, req(REP), k)
    index = await catch_up(store, Index(), batch=4)  # several reads
    assert k in index.contracts and index.position == len(store.log)
    for n in (1, 2, 3):
        await contracts.record_payment(
            store, req(REP, key=f"p{n}"), k, instalment=n, amount=D("1000.00"),
            received_at=T0, reference=f"TT-{n}",
        )  # fmt: skip
    assert k not in (await catch_up(store, index)).contracts
