"""Contract lines: validation, amount, margin, and the side-by-side view of two versions.

A line's total is exact (quantity x unit price); the contract amount, which is what the customer owes
and what instalments add up to, is the sum of line totals rounded to the cent (half up). Margins
stay exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from crm_events.contracts import ContractLine, Instalment
from crm_platform.domain import DomainError

CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def line_total(line: ContractLine) -> Decimal:
    total: Decimal = line.quantity * line.unit_price
    return total


def amount_of(lines: Sequence[ContractLine]) -> Decimal:
    return cents(sum((line_total(ln) for ln in lines), Decimal(0)))


def margin_of(lines: Sequence[ContractLine]) -> Decimal:
    return sum((ln.quantity * (ln.unit_price - ln.unit_cost) for ln in lines), Decimal(0))


def validate_lines(lines: Sequence[ContractLine]) -> None:
    if not lines:
        raise DomainError("A contract has at least one line.", field="lines")
    ids = [ln.line_id for ln in lines]
    if any(not i.strip() for i in ids) or len(set(ids)) != len(ids):
        raise DomainError("Every line has its own line id.", field="lines")
    for ln in lines:
        if not ln.product.strip():
            raise DomainError("Every line names its product.", field="lines")
        if ln.quantity <= 0:
            raise DomainError(f"The quantity of {ln.product} must be above zero.", field="lines")
        if ln.unit_price < 0 or ln.unit_cost < 0:
            raise DomainError(
                f"The unit price and unit cost of {ln.product} cannot be negative.", field="lines"
            )


@dataclass(frozen=True, slots=True)
class Version:
    """The contract as it stood at signing (version 1) or after an amendment (2, 3, ...)."""

    version: int
    lines: tuple[ContractLine, ...]
    amount: Decimal
    instalments: tuple[Instalment, ...]
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class LineChange:
    before: ContractLine
    after: ContractLine


@dataclass(frozen=True, slots=True)
class VersionDiff:
    from_version: int
    to_version: int
    added: tuple[ContractLine, ...]
    removed: tuple[ContractLine, ...]
    changed: tuple[LineChange, ...]
    amount_change: Decimal  # to_version's amount minus from_version's
    plan_changed: bool


def diff(a: Version, b: Version) -> VersionDiff:
    """What changed from version `a` to version `b`, lines matched by line id."""
    before = {ln.line_id: ln for ln in a.lines}
    after = {ln.line_id: ln for ln in b.lines}
    return VersionDiff(
        from_version=a.version,
        to_version=b.version,
        added=tuple(ln for ln in b.lines if ln.line_id not in before),
        removed=tuple(ln for ln in a.lines if ln.line_id not in after),
        changed=tuple(
            LineChange(before[ln.line_id], ln)
            for ln in b.lines
            if ln.line_id in before and before[ln.line_id] != ln
        ),
        amount_change=b.amount - a.amount,
        plan_changed=a.instalments != b.instalments,
    )
