"""The payment plan: splitting an amount into instalments, checking a plan, allocating payments.

Money is in whole cents throughout. `split` gives every instalment the same whole-cent share and
lets the LAST instalment absorb the remainder (100.00 in 3 -> 33.33, 33.33, 33.34), so the parts
always add up exactly to the amount.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from crm_events.contracts import Instalment, PaymentAllocation
from crm_platform.domain import DomainError

from crm_contracts.domain.lines import CENT


def whole_cents(value: Decimal) -> bool:
    return value == value.quantize(CENT)


def split(amount: Decimal, count: int) -> tuple[Decimal, ...]:
    """`amount` in `count` whole-cent parts that add up to it exactly; the last absorbs the rest."""
    if amount <= 0 or not whole_cents(amount):
        raise DomainError("Only an amount above zero in whole cents can be split.", field="amount")
    total_cents = int(amount / CENT)
    if not 1 <= count <= total_cents:
        raise DomainError(
            f"{amount} can be split into 1 to {total_cents} instalments.", field="count"
        )
    share, remainder = divmod(total_cents, count)
    parts = [share] * count
    parts[-1] += remainder
    return tuple(Decimal(p) * CENT for p in parts)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def even_plan(
    amount: Decimal, count: int, first_due: date, every_months: int = 1
) -> tuple[Instalment, ...]:
    """`count` instalments of (nearly) equal amounts, due every `every_months` from `first_due`."""
    if every_months < 1:
        raise DomainError("Instalments fall at least a month apart.", field="every_months")
    return tuple(
        Instalment(i + 1, add_months(first_due, i * every_months), part)
        for i, part in enumerate(split(amount, count))
    )


def validate_plan(instalments: Sequence[Instalment], amount: Decimal) -> None:
    if not instalments:
        raise DomainError("A payment plan has at least one instalment.", field="instalments")
    if [i.number for i in instalments] != list(range(1, len(instalments) + 1)):
        raise DomainError("Instalments are numbered 1, 2, 3 … in order.", field="instalments")
    if any(i.amount <= 0 or not whole_cents(i.amount) for i in instalments):
        raise DomainError(
            "Every instalment is an amount above zero in whole cents.", field="instalments"
        )
    dues = [i.due for i in instalments]
    if dues != sorted(dues):
        raise DomainError(
            "Instalments fall due in the order of their numbers.", field="instalments"
        )
    total = sum((i.amount for i in instalments), Decimal(0))
    if total != amount:
        raise DomainError(
            f"The instalments add up to {total}, not the contract amount {amount}.",
            field="instalments",
        )


@dataclass(frozen=True, slots=True)
class InstalmentState:
    number: int
    due: date
    amount: Decimal
    paid: Decimal = Decimal(0)
    overdue: bool = False  # InstalmentOverdue has been recorded for it

    @property
    def open(self) -> Decimal:
        return self.amount - self.paid

    def is_overdue(self, today: date) -> bool:
        return self.open > 0 and self.due < today


def allocate(
    instalments: Sequence[InstalmentState], number: int, amount: Decimal
) -> tuple[tuple[PaymentAllocation, ...], Decimal]:
    """A payment against instalment `number`: its open amount first, then the other open
    instalments in due order (an older one still open is the oldest debt, so it comes first);
    what is left over is credit. The allocations and the credit add up to `amount` exactly."""
    named = [i for i in instalments if i.number == number]
    others = sorted((i for i in instalments if i.number != number), key=lambda i: (i.due, i.number))
    left = amount
    allocations = []
    for inst in (*named, *others):
        take = min(left, inst.open)
        if take > 0:
            allocations.append(PaymentAllocation(inst.number, take))
            left -= take
    return tuple(allocations), left


def replan(
    old: tuple[InstalmentState, ...], new: tuple[Instalment, ...]
) -> tuple[InstalmentState, ...]:
    """An amended plan keeps what was paid and flagged on instalments with the same number and due
    date (an amendment leaves instalments with payments unchanged: see execution.amend)."""
    before = {i.number: i for i in old}
    kept = []
    for i in new:
        was = before.get(i.number)
        if was is not None and was.due == i.due:
            kept.append(InstalmentState(i.number, i.due, i.amount, was.paid, was.overdue))
        else:
            kept.append(InstalmentState(i.number, i.due, i.amount))
    return tuple(kept)


def apply_payment(
    instalments: tuple[InstalmentState, ...], allocations: Iterable[PaymentAllocation]
) -> tuple[InstalmentState, ...]:
    paid = {a.instalment: a.amount for a in allocations}
    return tuple(replace(i, paid=i.paid + paid.get(i.number, Decimal(0))) for i in instalments)


def flag_overdue(
    instalments: tuple[InstalmentState, ...], number: int
) -> tuple[InstalmentState, ...]:
    return tuple(replace(i, overdue=True) if i.number == number else i for i in instalments)


def overdue(instalments: Iterable[InstalmentState], today: date) -> list[InstalmentState]:
    """Instalments unpaid after their due date, oldest first."""
    return sorted((i for i in instalments if i.is_overdue(today)), key=lambda i: (i.due, i.number))
