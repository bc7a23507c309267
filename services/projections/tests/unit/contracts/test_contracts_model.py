"""The contracts read model folds a contract's life into its row, lines and instalments (pure)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

from crm_events import Envelope, Metadata, to_data
from crm_events.contracts import (
    ContractAmended,
    ContractDrafted,
    ContractExecutionStarted,
    ContractLine,
    ContractLineReturned,
    ContractPaymentPlanSet,
    ContractPaymentReceived,
    ContractSigned,
    Instalment,
    InstalmentOverdue,
    InstalmentOverdueSettled,
    PaymentAllocation,
)
from crm_projections.read_models.contracts import model as contracts
from crm_projections.read_models.contracts.tables import contract_instalments, contract_lines
from crm_projections.read_models.contracts.tables import contracts as contract_rows
from crm_projections.readmodel import Rows

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
META = Metadata("rep", "sales_rep", "SH01", "c")
PUMPS = ContractLine("l1", "PX-200", "pumps", Decimal(10), Decimal(100), Decimal(60))
VALVES = ContractLine("l2", "VX-9", "valves", Decimal(5), Decimal(200), Decimal(150))
PLAN = (
    Instalment(1, date(2026, 4, 1), Decimal(1000)),
    Instalment(2, date(2026, 5, 1), Decimal(1000)),
)


def fold(*events: Any) -> Rows:
    rows = Rows()
    for i, e in enumerate(events, 1):
        at = T0 + timedelta(days=i)
        envelope = Envelope(
            uuid4(), type(e).event_type, 1, "contract-c1", i, i, at, at, to_data(e), META
        )
        contracts.evolve(rows, envelope)
    return rows


def test_payments_returns_overdue_and_an_amendment() -> None:
    rows = fold(
        ContractDrafted(
            "c1", "a1", "SH01", "rep", "CNY", (PUMPS, VALVES), Decimal(2000), "", "o1", None, T0
        ),
        ContractPaymentPlanSet("c1", PLAN, T0),
        ContractSigned(
            "c1", "a1", "SH01", "rep", Decimal(2000), "CNY", (PUMPS, VALVES), "o1", None, "rep", T0
        ),
        ContractExecutionStarted("c1", T0),
        # 1,200 against the first instalment: 1,000 settle it, 200 go to the second
        ContractPaymentReceived(
            "c1",
            "p1",
            1,
            Decimal(1200),
            T0,
            "B1",
            (PaymentAllocation(1, Decimal(1000)), PaymentAllocation(2, Decimal(200))),
            Decimal(0),
            T0,
        ),
        InstalmentOverdue("c1", "a1", "SH01", 2, date(2026, 5, 1), Decimal(800), T0),
        ContractLineReturned("c1", "r1", "l1", "PX-200", "pumps", Decimal(2), Decimal(200), "", T0),
        InstalmentOverdueSettled("c1", "a1", "SH01", 2, date(2026, 5, 1), T0, 9, T0),
    )
    contract = rows.get(contract_rows, ("c1",))
    assert contract is not None
    assert contract["status"] == "in_execution"
    assert contract["cost"] == Decimal(1350)  # 10 x 60 + 5 x 150
    assert (contract["collected"], contract["credit"]) == (Decimal(1200), Decimal(0))
    assert contract["returned_value"] == Decimal(200)
    first = rows.get(contract_instalments, ("c1", 1))
    second = rows.get(contract_instalments, ("c1", 2))
    assert first is not None and second is not None
    assert (first["paid"], second["paid"]) == (Decimal(1000), Decimal(200))
    assert second["overdue_at"] is not None and second["days_late"] == 9
    pumps = rows.get(contract_lines, ("c1", "l1"))
    assert pumps is not None and (pumps["returned"], pumps["returned_value"]) == (2, 200)

    # version 2 drops the valves and plans one instalment: the pumps line keeps its return,
    # instalment 1 keeps its payment, instalment 2 is gone
    amended = fold(
        *[
            ContractDrafted(
                "c1", "a1", "SH01", "rep", "CNY", (PUMPS, VALVES), Decimal(2000), "", "o1", None, T0
            ),
            ContractPaymentPlanSet("c1", PLAN, T0),
            ContractLineReturned(
                "c1", "r1", "l1", "PX-200", "pumps", Decimal(2), Decimal(200), "", T0
            ),
            ContractAmended(
                "c1",
                2,
                "Valves dropped",
                (PUMPS,),
                Decimal(1000),
                Decimal(2000),
                (Instalment(1, date(2026, 4, 1), Decimal(1000)),),
                "rep",
                T0,
            ),
        ]
    )
    contract = amended.get(contract_rows, ("c1",))
    assert contract is not None
    assert (contract["amount"], contract["cost"], contract["version"]) == (1000, 600, 2)
    assert amended.get(contract_lines, ("c1", "l2")) is None
    kept = amended.get(contract_lines, ("c1", "l1"))
    assert kept is not None and kept["returned"] == 2
    assert amended.get(contract_instalments, ("c1", 2)) is None
    assert [r["number"] for r in amended.all(contract_instalments)] == [1]
