"""Quotes (DOMAIN.md §2): versions, totals, the branch's discount threshold and the manager's
approval, sending, and what winning takes from the current quote. Every expected figure is worked
out by hand (or, in the properties, in whole cents) beside the test."""

from dataclasses import replace
from decimal import Decimal

import pytest
from crm_events.opportunities import (
    OpportunityLine,
    OpportunityQuoteAdded,
    OpportunityQuoteApproved,
    OpportunityQuoteRejected,
    OpportunityQuoteSent,
    OpportunityStageChanged,
    QuoteLine,
)
from crm_opportunities.domain.opportunity import AddQuote, DecideQuote, SendQuote, Win, opportunity
from crm_platform.testing import Spec
from hypothesis import example, given, settings
from hypothesis import strategies as st

from . import opportunity_history
from .opportunity_history import LINE, OPENED, T1, T2, D

PUMPS = QuoteLine("PX-200 pump", "pumps", D(2), D("50000.00"), D(5))  # 100000.00 -> 95000.00
SETUP = QuoteLine("Installation", "services", D(1), D("8000.00"), D(0))
GREASE = QuoteLine("Grease", "consumables", D(1), D("2.25"), D(50))  # 2.25 -> 1.125 -> 1.13


def after(*events: object) -> Spec:
    return Spec(opportunity).given(OPENED, *events)


def line(price: str, discount: str, quantity: str = "1") -> QuoteLine:
    return QuoteLine("Valve", "valves", D(quantity), D(price), D(discount))


def add(*lines: QuoteLine, threshold: str = "10", quote_id: str = "q1") -> AddQuote:
    return AddQuote(quote_id, lines, T1, threshold_percent=D(threshold))


def added(command: AddQuote, *history: object) -> OpportunityQuoteAdded:
    (event,) = after(*history).when(command)
    assert isinstance(event, OpportunityQuoteAdded)
    return event


TWENTY_OFF = line("1000.00", "20")
PENDING = OpportunityQuoteAdded(
    "o1", "q1", 1, (TWENTY_OFF,), D("1000.00"), D("800.00"), D("20.00"), True, D(10), T1
)
FIVE_OFF = line("1000.00", "5")
DRAFT = OpportunityQuoteAdded(
    "o1", "q1", 1, (FIVE_OFF,), D("1000.00"), D("950.00"), D("5.00"), False, D(10), T1
)


# --- adding a quote -----------------------------------------------------------------------------
def test_a_quote_records_its_lines_list_total_net_total_and_overall_discount() -> None:
    # list 100000.00 + 8000.00 = 108000.00; net 95000.00 + 8000.00 = 103000.00;
    # overall discount 5000 / 108000 = 4.6296 % -> 4.63 %; the deepest line (5 %) is within 10 %
    after().then(
        add(PUMPS, SETUP),
        [
            OpportunityQuoteAdded(
                "o1",
                "q1",
                1,
                (PUMPS, SETUP),
                D("108000.00"),
                D("103000.00"),
                D("4.63"),
                False,
                D(10),
                T1,
            )
        ],
    )


@pytest.mark.parametrize(
    ("discount", "threshold", "needs_approval"),
    [
        ("10", "10", False),  # exactly at the threshold: the rep sends it
        ("10.01", "10", True),  # above it: the branch manager approves first
        ("9.99", "10", False),
        ("6", "5", True),  # the branch's own threshold, not the default
        ("15", "20", False),
        ("15", "15", False),
        ("0", "0", False),
    ],
)
def test_a_discount_above_the_branch_threshold_needs_the_manager(
    discount: str, threshold: str, needs_approval: bool
) -> None:
    event = added(add(line("1000.00", discount), threshold=threshold))
    assert (event.discount_percent, event.needs_approval) == (D(discount), needs_approval)
    assert event.threshold_percent == D(threshold)


def test_one_line_deeper_than_the_threshold_needs_the_manager_even_if_the_quote_is_not() -> None:
    # 9000.00 at 0 % and 1000.00 at 15 %: overall (10000 - 9850) / 10000 = 1.50 %, but one line 15 %
    event = added(add(line("9000.00", "0"), line("1000.00", "15")))
    assert (event.total, event.discount_percent, event.needs_approval) == (
        D("9850.00"),
        D("1.50"),
        True,
    )


def test_totals_and_discount_are_rounded_half_up_to_the_cent() -> None:
    # 1.5 x 0.75 = 1.125 -> 1.13 listed and net (half-even would say 1.12)
    cable = added(add(line("0.75", "0", quantity="1.5")))
    assert (cable.list_total, cable.total, cable.discount_percent) == (D("1.13"), D("1.13"), 0)
    # 2.25 at 50 % = 1.125 -> 1.13 net; discount (2.25 - 1.13) / 2.25 = 49.777 % -> 49.78 %
    grease = added(add(GREASE, threshold="60"))
    assert (grease.list_total, grease.total, grease.discount_percent) == (
        D("2.25"),
        D("1.13"),
        D("49.78"),
    )
    # 1000.00 at 0.125 % = 998.75; discount 1.25 / 1000 = 0.125 % -> 0.13 %
    thin = added(add(line("1000.00", "0.125")))
    assert (thin.total, thin.discount_percent) == (D("998.75"), D("0.13"))


def test_a_quote_of_free_items_has_no_discount() -> None:
    event = added(add(line("0", "0", quantity="3")))
    assert (event.list_total, event.total, event.discount_percent, event.needs_approval) == (
        0,
        0,
        0,
        False,
    )


@pytest.mark.parametrize(
    "ok",
    [
        line("0.50", "0"),  # a price below one
        line("0", "0"),  # a free item
        line("10.00", "0", quantity="1"),  # a single piece
        line("10.00", "0", quantity="0.5"),  # half a unit (metres, tonnes)
        line("10.00", "100"),  # given away: allowed, with the manager's approval
    ],
)
def test_quote_lines_within_the_rules_are_accepted(ok: QuoteLine) -> None:
    assert added(add(ok)).lines == (ok,)


@pytest.mark.parametrize(
    "bad",
    [
        line("10.00", "0", quantity="0"),
        line("10.00", "0", quantity="-1"),
        line("-0.01", "0"),
        line("10.00", "-0.01"),
        line("10.00", "100.01"),
        line("10.00", "101"),
    ],
)
def test_quote_lines_break_the_rules_naming_the_lines(bad: QuoteLine) -> None:
    after().refuses(add(line("5.00", "0"), bad), field="lines")


def test_a_quote_has_lines() -> None:
    after().refuses(add(), field="lines")


def test_versions_count_every_quote_before_even_rejected_ones() -> None:
    assert added(add(FIVE_OFF)).version == 1
    rejected = OpportunityQuoteRejected("o1", "q1", "mgr", "too deep", T1)
    second = replace(DRAFT, quote_id="q2", version=2)
    assert added(add(FIVE_OFF, quote_id="q3"), PENDING, rejected, second).version == 3


# --- the manager's decision ---------------------------------------------------------------------


def test_the_branch_manager_rejects_a_quote_with_a_reason() -> None:
    after(PENDING).then(
        DecideQuote("q1", False, "mgr", "discount too deep", T2),
        [OpportunityQuoteRejected("o1", "q1", "mgr", "discount too deep", T2)],
    )
    after(PENDING).refuses(DecideQuote("q1", False, "mgr", "  ", T2), field="reason")


def test_the_branch_manager_approves_a_quote() -> None:
    after(PENDING).then(
        DecideQuote("q1", True, "mgr", "", T2),
        [OpportunityQuoteApproved("o1", "q1", "mgr", T2)],
    )


def test_a_decision_is_taken_only_on_a_waiting_quote() -> None:
    after(DRAFT).refuses(DecideQuote("q1", True, "mgr", "", T2))
    approved = OpportunityQuoteApproved("o1", "q1", "mgr", T2)
    after(PENDING, approved).refuses(DecideQuote("q1", False, "mgr", "x", T2))
    after(PENDING).refuses(DecideQuote("q9", True, "mgr", "", T2), field="quote_id")


# --- sending ------------------------------------------------------------------------------------
def test_a_draft_or_an_approved_quote_is_sent() -> None:
    sent = [OpportunityQuoteSent("o1", "q1", T2)]
    after(DRAFT).then(SendQuote("q1", T2), sent)
    after(PENDING, OpportunityQuoteApproved("o1", "q1", "mgr", T1)).then(SendQuote("q1", T2), sent)


def test_a_quote_that_waits_was_rejected_superseded_or_sent_is_not_sent() -> None:
    after(PENDING).refuses(SendQuote("q1", T2))
    after(PENDING, OpportunityQuoteRejected("o1", "q1", "mgr", "no", T1)).refuses(
        SendQuote("q1", T2)
    )
    newer = replace(DRAFT, quote_id="q2", version=2)
    after(DRAFT, newer).refuses(SendQuote("q1", T2))
    after(DRAFT, OpportunityQuoteSent("o1", "q1", T1)).refuses(SendQuote("q1", T2))
    after(DRAFT).refuses(SendQuote("q9", T2), field="quote_id")


# --- winning on the current quote ---------------------------------------------------------------
def won(amount: str, *lines: OpportunityLine) -> list[object]:
    return [
        OpportunityStageChanged("o1", "prospecting", "won", T2),
        opportunity_history.won(T2, D(amount), lines),
    ]


# 2 x 50000.00 at 5 % -> 47500.00 each; 2.25 at 50 % -> 1.125 -> 1.13; total 95001.125 -> 95001.13
QUOTED = won(
    "95001.13",
    OpportunityLine("PX-200 pump", "pumps", D(2), D("47500.00")),
    OpportunityLine("Grease", "consumables", D(1), D("1.13")),
)
QUOTE = OpportunityQuoteAdded(
    "o1", "q1", 1, (PUMPS, GREASE), D("100002.25"), D("95001.13"), D("5.00"), False, D(50), T1
)
WAITING = replace(QUOTE, needs_approval=True, threshold_percent=D(10))


@pytest.mark.parametrize(
    "history",
    [
        [QUOTE],
        [WAITING, OpportunityQuoteApproved("o1", "q1", "mgr", T1)],
        [QUOTE, OpportunityQuoteSent("o1", "q1", T1)],
    ],
    ids=["draft", "approved", "sent"],
)
def test_winning_takes_amount_and_net_unit_prices_from_the_current_quote(
    history: list[object],
) -> None:
    after(*history).then(Win(T2), QUOTED)


@pytest.mark.parametrize(
    "history",
    [[WAITING], [WAITING, OpportunityQuoteRejected("o1", "q1", "mgr", "no", T1)]],
    ids=["waiting", "rejected"],
)
def test_a_quote_never_approved_is_not_what_was_won(history: list[object]) -> None:
    after(*history).then(Win(T2), won("100000.00", LINE))


# --- laws ---------------------------------------------------------------------------------------
percent = st.decimals(min_value=0, max_value=100, places=2)


@settings(max_examples=200)
@given(percent, percent, st.integers(1, 500), st.integers(1, 20))
@example(D(10), D(10), 1, 1)
@example(D("10.01"), D(10), 1, 1)
def test_a_one_line_quote_needs_approval_exactly_when_its_discount_exceeds_the_threshold(
    discount: Decimal, threshold: Decimal, hundreds: int, quantity: int
) -> None:
    listed = D(quantity * hundreds * 100)  # whole hundreds: every net total is exact to the cent
    event = added(
        add(line(str(hundreds * 100), str(discount), str(quantity)), threshold=str(threshold))
    )
    assert event.list_total == listed
    assert event.total == listed - listed * discount / 100
    assert event.discount_percent == discount
    assert event.needs_approval is (discount > threshold)


def half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


quote_lines = st.lists(
    st.tuples(st.integers(1, 50), st.integers(0, 10_000_000), st.integers(0, 10_000)),
    min_size=1,
    max_size=5,
)


@settings(max_examples=200)
@given(quote_lines, st.integers(0, 10_000))
def test_a_quote_adds_up_in_cents_and_asks_for_approval_by_its_deepest_discount(
    lines: list[tuple[int, int, int]], threshold_bp: int
) -> None:
    """Lines as (quantity, unit price in cents, discount in hundredths of a percent)."""
    listed = sum(q * cents for q, cents, _ in lines)
    net = half_up(sum(q * cents * (10_000 - bp) for q, cents, bp in lines), 10_000)
    overall_bp = half_up((listed - net) * 10_000, listed) if listed else 0
    command = add(
        *(QuoteLine("p", "pl", D(q), D(cents) / 100, D(bp) / 100) for q, cents, bp in lines),
        threshold=str(D(threshold_bp) / 100),
    )
    event = added(command)
    assert (event.list_total, event.total) == (D(listed) / 100, D(net) / 100)
    assert event.discount_percent == D(overall_bp) / 100
    deepest = max(overall_bp, *(bp for _, _, bp in lines))
    assert event.needs_approval is (deepest > threshold_bp)
