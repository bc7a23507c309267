"""The edges of the contract's rules: what is refused (naming the field, saying where the contract
stands), what is just allowed, and what a payment or a check records at the boundary."""

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from crm_contracts.domain.contract import (
    AmendContract,
    CheckOverdue,
    CloseContract,
    CompleteContract,
    DecideContract,
    DraftContract,
    RecordDelivery,
    RecordPayment,
    RecordReturn,
    ResumeContract,
    ReviseDraft,
    SetPaymentPlan,
    SignContract,
    StartExecution,
    SubmitContract,
    SuspendContract,
    TerminateContract,
    contract,
    on_opportunity_won,
)
from crm_events.contracts import (
    ContractAmended,
    ContractCompleted,
    ContractDrafted,
    ContractLine,
    ContractLineDelivered,
    ContractLineReturned,
    ContractPaymentReceived,
    ContractSigned,
    ContractSuspended,
    Instalment,
    InstalmentOverdue,
    InstalmentOverdueSettled,
    PaymentAllocation,
)
from crm_events.opportunities import OpportunityWon, TeamShare
from crm_platform.testing import Spec

from .contract_history import (
    DUE_1,
    DUE_2,
    LINES,
    PLAN,
    PUMPS,
    RUNNING,
    SETUP,
    SIGNED,
    T0,
    T1,
    D,
)

spec = Spec(contract)
DRAFT, SUBMITTED, APPROVED = SIGNED[:2], SIGNED[:3], SIGNED[:4]
SUSPENDED = (*RUNNING, ContractSuspended("k1", "Site closed", T1))
COMPLETED = (*RUNNING, ContractCompleted("k1", T1))


def whole(message: str) -> str:
    """A pattern matching exactly this refusal: what the user reads, and where the contract is."""
    return f"^{re.escape(message)}$"


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def paid(number: int, amount: str, day: date = date(2026, 11, 20)) -> ContractPaymentReceived:
    allocation = (PaymentAllocation(number, D(amount)),)
    return ContractPaymentReceived(
        "k1", f"p{number}-{amount}", number, D(amount), noon(day), "TT", allocation, D(0), T1
    )


# --- where the contract stands ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("history", "command", "field", "message"),
    [
        (RUNNING, SubmitContract("alice", T1), None,
         "This contract is in execution; only a draft is submitted for approval."),
        (SUBMITTED, ReviseDraft(LINES, "net 60", T1), None,
         "This contract is submitted; only a draft is edited (once signed, amend it)."),
        (APPROVED, SetPaymentPlan(PLAN, T1), None,
         "This contract is approved; only a draft's plan is set (once signed, amend it)."),
        (DRAFT, DecideContract(True, "mia", "branch_manager", "SH01", "", T1), None,
         "This contract is draft; it is not waiting for approval."),
        (APPROVED, StartExecution(T1), None,
         "This contract is approved; only a signed contract goes into execution."),
        (SIGNED, SuspendContract("Site closed", T1), None,
         "This contract is signed; only a contract in execution can be suspended."),
        (RUNNING, ResumeContract(T1), None,
         "This contract is in execution; only a suspended contract can be resumed."),
        (SUSPENDED, CompleteContract(T1), None,
         "This contract is suspended; only a contract in execution can be completed."),
        (RUNNING, CloseContract(T1), None,
         "This contract is in execution; only a completed contract can be closed."),
        (SIGNED, TerminateContract("Bankrupt", "mia", T1), None,
         "This contract is signed; only a contract in execution can be terminated."),
        (SUBMITTED, DecideContract(False, "mia", "branch_manager", "SH01", " ", T1), "reason",
         "Say why the contract is rejected."),
        (RUNNING, SuspendContract(" ", T1), "reason", "Say why the contract is suspended."),
        (SUSPENDED, TerminateContract("", "mia", T1), "reason",
         "Say why the contract is terminated."),
        (SUBMITTED, AmendContract("More pumps", LINES, PLAN, "alice", T1), None,
         "Until it is signed, a contract is changed by editing its draft."),
        (APPROVED, AmendContract("More pumps", LINES, PLAN, "alice", T1), None,
         "Until it is signed, a contract is changed by editing its draft."),
        (COMPLETED, AmendContract("More pumps", LINES, PLAN, "alice", T1), None,
         "This contract is completed; it can no longer be amended."),
    ],
)  # fmt: skip
def test_a_refusal_names_the_field_and_says_where_the_contract_stands(
    history: tuple[object, ...], command: object, field: str | None, message: str
) -> None:
    spec.given(*history).refuses(command, field=field, match=whole(message))


def test_a_contract_closes_only_when_not_a_cent_is_outstanding() -> None:
    short = (*COMPLETED, paid(1, "6000.00"), paid(2, "5999.99"))
    spec.given(*short).refuses(
        CloseContract(T1),
        match=whole(
            "0.01 CNY is still outstanding; a contract closes once everything is collected."
        ),
    )


def test_signing_carries_the_deal_and_campaign_it_came_from() -> None:
    spec.given(*APPROVED).then(
        SignContract("bob", T1),
        [
            ContractSigned(
                "k1", "a1", "SH01", "alice", D("12000.00"), "CNY", LINES, "o1", "c1", "bob", T1
            )
        ],
    )


def test_a_deal_won_without_lines_is_drafted_with_one_line_for_its_amount_at_no_cost() -> None:
    won = OpportunityWon(
        opportunity_id="o1",
        account_id="a1",
        branch="SH01",
        owner_id="alice",
        amount=D("10000.00"),
        currency="CNY",
        lines=(),
        team=(TeamShare("alice", D(100)),),
        lead_id="l1",
        campaign_id="c1",
        won_at=T0,
    )
    command = on_opportunity_won(won)
    assert command.lines == (ContractLine("1", "Won opportunity", "", D(1), D("10000.00"), D(0)),)


# --- lines --------------------------------------------------------------------------------------
def test_a_free_line_or_one_priced_under_one_unit_is_allowed() -> None:
    free = ContractLine("3", "Sample kit", "pumps", D(2), D(0), D("5.00"))
    cheap = ContractLine("4", "Gasket", "spares", D(3), D("0.50"), D("0.20"))
    [drafted] = spec.when(replace(_draft(), lines=(PUMPS, free, cheap)))
    assert isinstance(drafted, ContractDrafted)
    assert drafted.amount == D("10001.50")


def test_a_negative_price_is_refused_naming_the_product() -> None:
    negative = ContractLine("1", "Pump P-200", "pumps", D(1), D("-1.00"), D(0))
    spec.refuses(
        replace(_draft(), lines=(negative,)),
        field="lines",
        match=whole("The unit price and unit cost of Pump P-200 cannot be negative."),
    )


def _draft() -> DraftContract:
    return DraftContract("k1", "a1", "SH01", "alice", "CNY", LINES, "net 30", T0)


# --- amendments ---------------------------------------------------------------------------------
TWO_PUMPS = ContractLine("1", "Pump P-200", "pumps", D(2), D("2500.00"), D("1800.00"))
HALF_PLAN = (Instalment(1, DUE_1, D("3500.00")), Instalment(2, DUE_2, D("3500.00")))


def _amend(
    lines: tuple[ContractLine, ...], plan: tuple[Instalment, ...], reason: str = "Fewer pumps"
) -> AmendContract:
    return AmendContract(reason, lines, plan, "alice", T1)


def _amended(lines: tuple[ContractLine, ...], amount: str, plan: tuple[Instalment, ...]) -> object:
    return ContractAmended(
        "k1", 2, "Fewer pumps", lines, D(amount), D("12000.00"), plan, "alice", T1
    )


def test_a_delivered_line_may_be_cut_down_to_exactly_what_was_delivered() -> None:
    two = ContractLineDelivered("k1", "d1", "1", "Pump P-200", D(2), T1)
    spec.given(*RUNNING, two).then(
        _amend((TWO_PUMPS, SETUP), HALF_PLAN),
        [_amended((TWO_PUMPS, SETUP), "7000.00", HALF_PLAN)],
    )


def test_cutting_a_line_below_its_deliveries_says_how_many_were_delivered() -> None:
    three = ContractLineDelivered("k1", "d1", "1", "Pump P-200", D(3), T1)
    spec.given(*RUNNING, three).refuses(
        _amend((TWO_PUMPS, SETUP), HALF_PLAN),
        field="lines",
        match=whole("3 of line 1 are delivered; the line cannot go below that."),
    )


def test_even_a_few_cents_paid_keep_an_instalment_as_it_is() -> None:
    cents = paid(1, "0.50")
    moved = (Instalment(1, date(2026, 12, 15), D("6000.00")), PLAN[1])
    spec.given(*RUNNING, cents).refuses(
        _amend(LINES, moved),
        field="instalments",
        match=whole("Instalment 1 has payments against it; it must stay as it is."),
    )


def test_an_amendment_may_change_only_the_plan_or_only_the_lines() -> None:
    later = (PLAN[0], Instalment(2, date(2027, 2, 1), D("6000.00")))
    spec.given(*RUNNING).then(_amend(LINES, later), [_amended(LINES, "12000.00", later)])
    renamed = (PUMPS, replace(SETUP, product="Installation and training"))
    spec.given(*RUNNING).then(_amend(renamed, PLAN), [_amended(renamed, "12000.00", PLAN)])


def test_an_amendment_that_changes_nothing_names_the_lines() -> None:
    spec.given(*RUNNING).refuses(_amend(LINES, PLAN), field="lines")


# --- deliveries and returns ---------------------------------------------------------------------
def test_a_single_unit_is_delivered() -> None:
    spec.given(*RUNNING).then(
        RecordDelivery("d1", "1", D(1), T1),
        [ContractLineDelivered("k1", "d1", "1", "Pump P-200", D(1), T1)],
    )


def test_everything_delivered_may_come_back_but_not_nothing() -> None:
    two = ContractLineDelivered("k1", "d1", "1", "Pump P-200", D(2), T1)
    spec.given(*RUNNING, two).then(
        RecordReturn("r1", "1", D(2), "Wrong model", T1),
        [
            ContractLineReturned(
                "k1", "r1", "1", "Pump P-200", "pumps", D(2), D("5000.00"), "Wrong model", T1
            )
        ],
    )
    spec.given(*RUNNING, two).refuses(RecordReturn("r1", "1", D(0), "x", T1), field="quantity")


# --- payments and overdue -----------------------------------------------------------------------
def _pay(number: int, amount: str, day: date) -> RecordPayment:
    return RecordPayment(f"p{number}-{amount}", number, D(amount), noon(day), "TT", T1)


def test_paying_a_later_instalment_late_settles_it_even_when_an_earlier_one_is_paid() -> None:
    command = _pay(2, "6000.00", DUE_2 + timedelta(days=1))
    spec.given(*RUNNING, paid(1, "6000.00")).then(
        command,
        [
            ContractPaymentReceived(
                "k1", command.payment_id, 2, D("6000.00"), command.received_at, "TT",
                (PaymentAllocation(2, D("6000.00")),), D(0), T1,
            ),
            InstalmentOverdueSettled("k1", "a1", "SH01", 2, DUE_2, command.received_at, 1, T1),
        ],
    )  # fmt: skip


def test_a_flagged_instalment_paid_on_its_due_date_settles_zero_days_late() -> None:
    flagged = InstalmentOverdue("k1", "a1", "SH01", 1, DUE_1, D("6000.00"), noon(DUE_1))
    command = _pay(1, "6000.00", DUE_1)  # received on time, recorded after the check
    events = spec.given(*RUNNING, flagged).when(command)
    assert events[1:] == [
        InstalmentOverdueSettled("k1", "a1", "SH01", 1, DUE_1, command.received_at, 0, T1)
    ]


def test_a_single_cent_left_unpaid_after_the_due_date_is_overdue() -> None:
    day = DUE_1 + timedelta(days=1)
    spec.given(*RUNNING, paid(1, "5999.99")).then(
        CheckOverdue(noon(day)),
        [InstalmentOverdue("k1", "a1", "SH01", 1, DUE_1, D("0.01"), noon(day))],
    )
