"""Drafting (directly or from a won opportunity), approval, signing and execution of a contract."""

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from crm_contracts.domain.contract import (
    CloseContract,
    CompleteContract,
    Contract,
    DecideContract,
    DraftContract,
    ResumeContract,
    ReviseDraft,
    SetPaymentPlan,
    SignContract,
    StartExecution,
    SubmitContract,
    SuspendContract,
    TerminateContract,
    contract,
    contract_id_for,
    on_opportunity_won,
)
from crm_events.contracts import (
    ContractApproved,
    ContractClosed,
    ContractCompleted,
    ContractDrafted,
    ContractDraftRevised,
    ContractExecutionStarted,
    ContractLine,
    ContractLineDelivered,
    ContractPaymentPlanSet,
    ContractPaymentReceived,
    ContractRejected,
    ContractResumed,
    ContractSigned,
    ContractSubmitted,
    ContractSuspended,
    ContractTerminated,
    Instalment,
    PaymentAllocation,
)
from crm_events.opportunities import OpportunityLine, OpportunityWon, TeamShare
from crm_platform.domain import DomainError
from crm_platform.testing import Spec

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
T1 = datetime(2026, 11, 9, 9, 0, tzinfo=UTC)
spec = Spec(contract)

PUMPS = ContractLine("1", "Pump P-200", "pumps", Decimal(4), Decimal("2500.00"), Decimal("1800.00"))
SETUP = ContractLine("2", "Installation", "services", Decimal(1), Decimal("2000.00"), Decimal(0))
LINES = (PUMPS, SETUP)
DRAFT = DraftContract("k1", "a1", "SH01", "alice", "CNY", LINES, "net 30", T0)
DRAFTED = ContractDrafted(
    "k1", "a1", "SH01", "alice", "CNY", LINES, Decimal("12000.00"), "net 30", None, None, T0
)
PLAN = (
    Instalment(1, date(2026, 12, 1), Decimal("6000.00")),
    Instalment(2, date(2027, 1, 1), Decimal("6000.00")),
)
PLANNED = ContractPaymentPlanSet("k1", PLAN, T0)
SUBMITTED = ContractSubmitted("k1", "alice", T1)
APPROVED = ContractApproved("k1", "mia", T1)
SIGNED = ContractSigned(
    "k1", "a1", "SH01", "alice", Decimal("12000.00"), "CNY", LINES, None, None, "alice", T1
)
STARTED = ContractExecutionStarted("k1", T1)
APPROVE = DecideContract(True, "mia", "branch_manager", "SH01", "", T1)


def refused(history: tuple[object, ...], command: object) -> DomainError:
    with pytest.raises(DomainError) as error:
        spec.given(*history).when(command)
    return error.value


# --- drafting -----------------------------------------------------------------------------------
def test_a_draft_totals_its_lines() -> None:
    spec.then(DRAFT, [DRAFTED])


def test_the_amount_is_rounded_to_the_cent_only_at_the_contract_total() -> None:
    third = ContractLine("1", "Cable", "cables", Decimal("3"), Decimal("33.335"), Decimal(0))
    [drafted] = spec.when(DraftContract("k1", "a1", "SH01", "al", "CNY", (third,), "", T0))
    assert drafted.amount == Decimal("100.01")  # 100.005, half up


def test_a_contract_is_drafted_once() -> None:
    assert "already been drafted" in refused((DRAFTED,), DRAFT).message


@pytest.mark.parametrize(
    "lines",
    [
        (),
        (PUMPS, PUMPS),
        (ContractLine("1", "", "pumps", Decimal(1), Decimal(1), Decimal(0)),),
        (ContractLine("1", "Pump", "pumps", Decimal(0), Decimal(1), Decimal(0)),),
        (ContractLine("1", "Pump", "pumps", Decimal(1), Decimal(-1), Decimal(0)),),
        (ContractLine("1", "Pump", "pumps", Decimal(1), Decimal(1), Decimal(-1)),),
        (ContractLine(" ", "Pump", "pumps", Decimal(1), Decimal(1), Decimal(0)),),
    ],
)
def test_bad_lines_are_refused_naming_the_field(lines: tuple[ContractLine, ...]) -> None:
    command = DraftContract("k1", "a1", "SH01", "alice", "CNY", lines, "", T0)
    assert refused((), command).field == "lines"


def test_a_draft_is_revised_with_new_lines_and_terms() -> None:
    setup = ContractLine("2", "Installation", "services", Decimal(1), Decimal(1500), Decimal(0))
    spec.given(DRAFTED).then(
        ReviseDraft((PUMPS, setup), "net 60", T1),
        [ContractDraftRevised("k1", (PUMPS, setup), Decimal("11500.00"), "net 60", T1)],
    )


def test_revising_to_the_same_draft_records_nothing() -> None:
    spec.given(DRAFTED).then(ReviseDraft(LINES, "net 30", T1), [])


def test_a_submitted_contract_is_not_edited() -> None:
    error = refused((DRAFTED, PLANNED, SUBMITTED), ReviseDraft(LINES, "net 90", T1))
    assert "only a draft is edited" in error.message


def test_the_plan_is_set_while_in_draft() -> None:
    spec.given(DRAFTED).then(SetPaymentPlan(PLAN, T0), [PLANNED])
    assert (
        "only a draft" in refused((DRAFTED, PLANNED, SUBMITTED), SetPaymentPlan(PLAN, T1)).message
    )


def test_a_plan_that_does_not_add_up_is_refused_naming_instalments() -> None:
    short = (Instalment(1, date(2026, 12, 1), Decimal("11999.99")),)
    error = refused((DRAFTED,), SetPaymentPlan(short, T0))
    assert error.field == "instalments"
    assert "11999.99, not the contract amount 12000.00" in error.message


# --- from a won opportunity ---------------------------------------------------------------------
WON = OpportunityWon(
    opportunity_id="o1",
    account_id="a1",
    branch="SH01",
    owner_id="alice",
    amount=Decimal("10000.00"),
    currency="CNY",
    lines=(OpportunityLine("Pump P-200", "pumps", Decimal(4), Decimal("2500.00")),),
    team=(TeamShare("alice", Decimal(100)),),
    lead_id="l1",
    campaign_id="c1",
    won_at=T0,
)


def test_a_won_opportunity_drafts_a_contract_with_a_deterministic_id_and_zero_costs() -> None:
    command = on_opportunity_won(WON)
    assert command.contract_id == contract_id_for("o1") != contract_id_for("o2")
    [drafted] = spec.when(command)
    assert drafted == ContractDrafted(
        contract_id_for("o1"),
        "a1",
        "SH01",
        "alice",
        "CNY",
        (ContractLine("1", "Pump P-200", "pumps", Decimal(4), Decimal("2500.00"), Decimal(0)),),
        Decimal("10000.00"),
        "",
        "o1",
        "c1",
        T0,
    )


def test_the_same_won_opportunity_delivered_again_records_nothing() -> None:
    command = on_opportunity_won(WON)
    [drafted] = spec.when(command)
    spec.given(drafted).then(command, [])


def test_a_deal_won_without_lines_gets_one_line_for_its_amount() -> None:
    [drafted] = spec.when(on_opportunity_won(replace(WON, lines=())))
    assert [(ln.quantity, ln.unit_price) for ln in drafted.lines] == [(1, Decimal("10000.00"))]


def test_odd_lines_of_a_won_deal_are_drafted_and_fixed_before_submission() -> None:
    free = OpportunityLine("Sample", "pumps", Decimal(0), Decimal(0))
    [drafted] = spec.when(on_opportunity_won(replace(WON, lines=(free,))))
    assert refused((drafted,), SubmitContract("alice", T1)).field == "lines"


# --- approval and signing -----------------------------------------------------------------------
def test_submitting_needs_a_payment_plan() -> None:
    error = refused((DRAFTED,), SubmitContract("alice", T1))
    assert (error.field, error.message) == ("instalments", "Set the payment plan first.")


def test_submitting_needs_a_plan_that_still_adds_up_after_a_revision() -> None:
    revised = ContractDraftRevised("k1", (PUMPS,), Decimal("10000.00"), "net 30", T0)
    assert refused((DRAFTED, PLANNED, revised), SubmitContract("al", T1)).field == "instalments"


def test_a_planned_draft_is_submitted() -> None:
    spec.given(DRAFTED, PLANNED).then(SubmitContract("alice", T1), [SUBMITTED])


def test_the_branch_manager_of_the_branch_approves() -> None:
    spec.given(DRAFTED, PLANNED, SUBMITTED).then(APPROVE, [APPROVED])


@pytest.mark.parametrize(("role", "branch"), [("sales_rep", "SH01"), ("branch_manager", "BJ02")])
def test_nobody_else_approves(role: str, branch: str) -> None:
    command = DecideContract(True, "x", role, branch, "", T1)
    assert (
        "Only a branch manager of SH01" in refused((DRAFTED, PLANNED, SUBMITTED), command).message
    )


def test_only_a_submitted_contract_is_approved() -> None:
    assert "not waiting for approval" in refused((DRAFTED, PLANNED), APPROVE).message


def test_a_rejection_sends_it_back_to_draft_with_the_reason() -> None:
    reject = DecideContract(False, "mia", "branch_manager", "SH01", "Margin too thin", T1)
    rejected = ContractRejected("k1", "mia", "Margin too thin", T1)
    spec.given(DRAFTED, PLANNED, SUBMITTED).then(reject, [rejected])
    state = contract.fold([DRAFTED, PLANNED, SUBMITTED, rejected])
    assert isinstance(state, Contract)
    assert (state.status, state.reason) == ("draft", "Margin too thin")
    spec.given(DRAFTED, PLANNED, SUBMITTED, rejected).then(SubmitContract("alice", T1), [SUBMITTED])


def test_a_rejection_says_why() -> None:
    reject = DecideContract(False, "mia", "branch_manager", "SH01", " ", T1)
    assert refused((DRAFTED, PLANNED, SUBMITTED), reject).field == "reason"


def test_an_approved_contract_is_signed_as_version_one() -> None:
    spec.given(DRAFTED, PLANNED, SUBMITTED, APPROVED).then(SignContract("alice", T1), [SIGNED])
    state = contract.fold([DRAFTED, PLANNED, SUBMITTED, APPROVED, SIGNED])
    assert isinstance(state, Contract)
    assert (state.version, state.versions[0].instalments) == (1, PLAN)


def test_only_an_approved_contract_is_signed() -> None:
    error = refused((DRAFTED, PLANNED, SUBMITTED), SignContract("alice", T1))
    assert error.message == "This contract is submitted; only an approved contract can be signed."


def test_signing_needs_the_payment_plan() -> None:
    error = refused((DRAFTED, SUBMITTED, APPROVED), SignContract("alice", T1))
    assert error.field == "instalments"


# --- execution ----------------------------------------------------------------------------------
SIGNED_HISTORY = (DRAFTED, PLANNED, SUBMITTED, APPROVED, SIGNED)
RUNNING = (*SIGNED_HISTORY, STARTED)


def test_a_signed_contract_goes_into_execution() -> None:
    spec.given(*SIGNED_HISTORY).then(StartExecution(T1), [STARTED])
    assert "only a signed" in refused((DRAFTED,), StartExecution(T1)).message


def test_execution_is_suspended_with_a_reason_and_resumed() -> None:
    suspended = ContractSuspended("k1", "Customer site closed", T1)
    spec.given(*RUNNING).then(SuspendContract("Customer site closed", T1), [suspended])
    assert refused(RUNNING, SuspendContract("", T1)).field == "reason"
    spec.given(*RUNNING, suspended).then(ResumeContract(T1), [ContractResumed("k1", T1)])
    assert "only a suspended" in refused(RUNNING, ResumeContract(T1)).message
    assert (
        "only a contract in execution" in refused(SIGNED_HISTORY, SuspendContract("x", T1)).message
    )


@pytest.mark.parametrize("suspended", [False, True])
def test_execution_is_terminated_with_a_reason(suspended: bool) -> None:
    history = (*RUNNING, ContractSuspended("k1", "x", T1)) if suspended else RUNNING
    terminated = ContractTerminated("k1", "Customer insolvent", "mia", T1)
    spec.given(*history).then(TerminateContract("Customer insolvent", "mia", T1), [terminated])
    assert refused(history, TerminateContract("", "mia", T1)).field == "reason"


def test_only_a_contract_in_execution_is_terminated() -> None:
    error = refused(SIGNED_HISTORY, TerminateContract("x", "mia", T1))
    assert error.message == (
        "This contract is signed; only a contract in execution can be terminated."
    )


def test_completion_needs_every_line_delivered() -> None:
    pumps = ContractLineDelivered("k1", "d1", "1", "Pump P-200", Decimal(4), T1)
    assert "Installation" in refused((*RUNNING, pumps), CompleteContract(T1)).message
    setup = ContractLineDelivered("k1", "d2", "2", "Installation", Decimal(1), T1)
    spec.given(*RUNNING, pumps, setup).then(CompleteContract(T1), [ContractCompleted("k1", T1)])


def test_a_completed_contract_closes_once_everything_is_collected() -> None:
    completed = (*RUNNING, ContractCompleted("k1", T1))
    assert (
        "6000.00 CNY is still outstanding"
        in refused((*completed, _paid(1, "6000.00")), CloseContract(T1)).message
    )
    paid_up = (*completed, _paid(1, "6000.00"), _paid(2, "6000.00"))
    spec.given(*paid_up).then(CloseContract(T1), [ContractClosed("k1", T1)])
    assert "only a completed" in refused(RUNNING, CloseContract(T1)).message


def _paid(number: int, amount: str) -> ContractPaymentReceived:
    value = Decimal(amount)
    allocation = (PaymentAllocation(number, value),)
    return ContractPaymentReceived(
        "k1", f"p{number}", number, value, T1, "", allocation, Decimal(0), T1
    )


def test_commands_on_a_stream_without_a_contract_are_refused() -> None:
    assert refused((), StartExecution(T1)).message == "There is no such contract."
