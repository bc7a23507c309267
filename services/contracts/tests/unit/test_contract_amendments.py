"""After signing: amendments as versions, their side-by-side diff, deliveries and returns."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from crm_contracts.domain.contract import (
    AmendContract,
    Contract,
    RecordDelivery,
    RecordReturn,
    contract,
)
from crm_contracts.domain.lines import LineChange, diff
from crm_events.contracts import (
    ContractAmended,
    ContractApproved,
    ContractCompleted,
    ContractDrafted,
    ContractExecutionStarted,
    ContractLine,
    ContractLineDelivered,
    ContractLineReturned,
    ContractPaymentPlanSet,
    ContractPaymentReceived,
    ContractSigned,
    ContractSubmitted,
    ContractSuspended,
    Instalment,
    InstalmentOverdue,
    PaymentAllocation,
)
from crm_platform.domain import DomainError
from crm_platform.testing import Spec

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
T1 = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)
spec = Spec(contract)
D = Decimal
PUMPS = ContractLine("1", "Pump P-200", "pumps", D(4), D("2500.00"), D("1800.00"))
SETUP = ContractLine("2", "Installation", "services", D(1), D("2000.00"), D("1500.00"))
LINES = (PUMPS, SETUP)
PLAN = (
    Instalment(1, date(2026, 12, 1), D("6000.00")),
    Instalment(2, date(2027, 1, 1), D("6000.00")),
)
DRAFTED = ContractDrafted(
    "k1", "a1", "SH01", "alice", "CNY", LINES, D("12000.00"), "", None, None, T0
)
SIGNED = (
    DRAFTED,
    ContractPaymentPlanSet("k1", PLAN, T0),
    ContractSubmitted("k1", "alice", T0),
    ContractApproved("k1", "mia", T0),
    ContractSigned("k1", "a1", "SH01", "alice", D("12000.00"), "CNY", LINES, None, None, "al", T0),
)
RUNNING = (*SIGNED, ContractExecutionStarted("k1", T0))
FIVE_PUMPS = ContractLine("1", "Pump P-200", "pumps", D(5), D("2500.00"), D("1800.00"))
NEW_PLAN = (PLAN[0], Instalment(2, date(2027, 1, 1), D("8500.00")))


def amend(
    lines: tuple[ContractLine, ...] = (FIVE_PUMPS, SETUP),
    plan: tuple[Instalment, ...] = NEW_PLAN,
) -> AmendContract:
    return AmendContract("Customer adds a pump", lines, plan, "alice", T1)


AMENDED = ContractAmended(
    "k1", 2, "Customer adds a pump", (FIVE_PUMPS, SETUP), D("14500.00"), D("12000.00"),
    NEW_PLAN, "alice", T1,
)  # fmt: skip


def state_of(*events: object) -> Contract:
    state = contract.fold(list(events))
    assert isinstance(state, Contract)
    return state


def refused(history: tuple[object, ...], command: object) -> DomainError:
    with pytest.raises(DomainError) as error:
        spec.given(*history).when(command)
    return error.value


# --- amendments ---------------------------------------------------------------------------------
def test_an_amendment_makes_a_new_version_and_keeps_the_old_one() -> None:
    spec.given(*RUNNING).then(amend(), [AMENDED])
    state = state_of(*RUNNING, AMENDED)
    assert [v.version for v in state.versions] == [1, 2]
    assert (state.versions[0].amount, state.amount, state.plan) == (
        D("12000"),
        D("14500"),
        NEW_PLAN,
    )


def test_versions_side_by_side() -> None:
    cheaper_setup = ContractLine("2", "Installation", "services", D(1), D("1500.00"), D("1500.00"))
    filter_line = ContractLine("3", "Filter", "spares", D(2), D("250.00"), D("100.00"))
    plan = (
        Instalment(1, date(2026, 12, 1), D("1000.00")),
        Instalment(2, date(2027, 1, 1), D("1000.00")),
    )
    [v2] = spec.given(*RUNNING).when(amend((cheaper_setup, filter_line), plan))
    state = state_of(*RUNNING, v2)
    d = diff(state.versions[0], state.versions[1])
    assert (d.from_version, d.to_version) == (1, 2)
    assert d.added == (filter_line,)
    assert d.removed == (PUMPS,)
    assert d.changed == (LineChange(SETUP, cheaper_setup),)
    assert d.amount_change == D("-10000.00")
    assert d.plan_changed
    assert diff(state.versions[1], state.versions[0]).amount_change == D("10000.00")


def test_an_amendment_says_why() -> None:
    command = AmendContract(" ", (FIVE_PUMPS, SETUP), NEW_PLAN, "alice", T1)
    assert refused(RUNNING, command).field == "reason"


def test_an_amended_plan_must_add_up_to_the_new_amount() -> None:
    assert refused(RUNNING, amend(plan=PLAN)).field == "instalments"


def test_an_amendment_that_changes_nothing_is_refused() -> None:
    assert refused(RUNNING, amend(LINES, PLAN)).message == "This amendment changes nothing."


def test_before_signing_the_draft_is_edited_instead() -> None:
    assert "editing its draft" in refused((DRAFTED,), amend()).message


def test_a_completed_contract_is_not_amended() -> None:
    done = (*RUNNING, ContractCompleted("k1", T1))
    assert (
        refused(done, amend()).message == "This contract is completed; it can no longer be amended."
    )


def test_an_instalment_with_payments_stays_as_it_is() -> None:
    paid = ContractPaymentReceived(
        "k1", "p1", 1, D("100.00"), T1, "", (PaymentAllocation(1, D("100.00")),), D(0), T1
    )
    moved = (Instalment(1, date(2026, 12, 15), D("6000.00")), NEW_PLAN[1])
    error = refused((*RUNNING, paid), amend(plan=moved))
    assert (error.field, error.message) == (
        "instalments",
        "Instalment 1 has payments against it; it must stay as it is.",
    )
    [amended] = spec.given(*RUNNING, paid).when(amend())
    assert state_of(*RUNNING, paid, amended).collected == D("100.00")


def test_an_amended_plan_keeps_overdue_flags_only_where_the_due_date_stays() -> None:
    flagged = InstalmentOverdue("k1", "a1", "SH01", 1, PLAN[0].due, D("6000.00"), T1)
    rescheduled = (Instalment(1, date(2026, 12, 20), D("6000.00")), NEW_PLAN[1])
    [same] = spec.given(*RUNNING, flagged).when(amend())
    [moved] = spec.given(*RUNNING, flagged).when(amend(plan=rescheduled))
    assert state_of(*RUNNING, flagged, same).instalments[0].overdue
    assert not state_of(*RUNNING, flagged, moved).instalments[0].overdue


def test_a_delivered_line_cannot_be_removed_or_cut_below_its_deliveries() -> None:
    shipped = ContractLineDelivered("k1", "d1", "1", "Pump P-200", D(3), T1)
    two_pumps = ContractLine("1", "Pump P-200", "pumps", D(2), D("2500.00"), D("1800.00"))
    plan = (PLAN[0], Instalment(2, date(2027, 1, 1), D("1000.00")))
    assert refused((*RUNNING, shipped), amend((two_pumps, SETUP), plan)).field == "lines"
    assert refused((*RUNNING, shipped), amend((SETUP,), plan)).field == "lines"


# --- deliveries and returns ---------------------------------------------------------------------
def deliver(line_id: str, quantity: str) -> RecordDelivery:
    return RecordDelivery("d1", line_id, D(quantity), T1)


def test_a_delivery_is_recorded_against_a_line() -> None:
    spec.given(*RUNNING).then(
        deliver("1", "3"), [ContractLineDelivered("k1", "d1", "1", "Pump P-200", D(3), T1)]
    )


def test_no_more_is_delivered_than_contracted() -> None:
    shipped = ContractLineDelivered("k1", "d0", "1", "Pump P-200", D(3), T1)
    error = refused((*RUNNING, shipped), deliver("1", "2"))
    assert (error.field, error.message) == (
        "quantity",
        "Only 1 of Pump P-200 remain to be delivered.",
    )


@pytest.mark.parametrize(
    ("line_id", "quantity", "field"), [("9", "1", "line_id"), ("1", "0", "quantity")]
)
def test_a_delivery_names_a_line_and_a_quantity(line_id: str, quantity: str, field: str) -> None:
    assert refused(RUNNING, deliver(line_id, quantity)).field == field


def test_deliveries_happen_in_execution_only() -> None:
    assert "in execution" in refused(SIGNED, deliver("1", "1")).message
    suspended = (*RUNNING, ContractSuspended("k1", "site closed", T1))
    assert "resume it" in refused(suspended, deliver("1", "1")).message


SHIPPED = (*RUNNING, ContractLineDelivered("k1", "d0", "1", "Pump P-200", D(3), T1))


def test_a_return_takes_its_value_off_net_revenue() -> None:
    back = ContractLineReturned(
        "k1", "r1", "1", "Pump P-200", "pumps", D(1), D("2500.00"), "Dented", T1
    )
    spec.given(*SHIPPED).then(RecordReturn("r1", "1", D(1), "Dented", T1), [back])
    state = state_of(*SHIPPED, back)
    assert (state.amount, state.net_revenue) == (D("12000.00"), D("9500.00"))


def test_no_more_comes_back_than_was_delivered_and_not_yet_returned() -> None:
    back = ContractLineReturned("k1", "r1", "1", "Pump P-200", "pumps", D(2), D("5000.00"), "x", T1)
    error = refused((*SHIPPED, back), RecordReturn("r2", "1", D(2), "Dented", T1))
    assert (error.field, error.message) == (
        "quantity",
        "Only 1 of Pump P-200 were delivered and not yet returned.",
    )
    assert refused(SHIPPED, RecordReturn("r2", "2", D(1), "x", T1)).field == "quantity"


def test_a_return_says_why_and_names_a_line() -> None:
    assert refused(SHIPPED, RecordReturn("r1", "1", D(1), "", T1)).field == "reason"
    assert refused(SHIPPED, RecordReturn("r1", "7", D(1), "x", T1)).field == "line_id"
    assert refused(SHIPPED, RecordReturn("r1", "1", D(-1), "x", T1)).field == "quantity"
    assert "draft" in refused((DRAFTED,), RecordReturn("r1", "1", D(1), "x", T1)).message


def test_margin_is_exact() -> None:
    assert state_of(*RUNNING).margin == D("3300.00")  # 4 x 700 + 1 x 500
