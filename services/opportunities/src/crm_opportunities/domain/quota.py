"""Quota: an annual sales target set by HQ, split into months and adjusted during the year.

Stream `quota-<year>-<dimension>-<key>`. The twelve months always add up exactly to the annual
target: amounts are split in cents and the cents left over go to the earliest months that have a
share, one each. Quarters and year-to-date are sums of months.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import TypeAlias, assert_never

from crm_events.opportunities import QuotaAdjusted, QuotaSet
from crm_platform.domain import Decider, DomainError, NotFound

DIMENSIONS = frozenset({"branch", "rep", "product_line", "channel"})
CENT = Decimal("0.01")


def split(amount: Decimal, weights: Sequence[Decimal]) -> tuple[Decimal, ...]:
    """`amount` in cents over the weights; the parts add up exactly to `amount`."""
    cents = int((amount / CENT).to_integral_value(ROUND_HALF_UP))
    total = sum(weights, Decimal(0))
    if total <= 0:
        raise DomainError("The shares must add up to more than zero.", field="weights")
    parts = [int((cents * w / total).to_integral_value(ROUND_DOWN)) for w in weights]
    shared = [i for i, w in enumerate(weights) if w > 0]  # a month without a share gets nothing
    for i in range(cents - sum(parts)):  # fewer cents than shared months
        parts[shared[i % len(shared)]] += 1
    return tuple(Decimal(p) * CENT for p in parts)


@dataclass(frozen=True, slots=True)
class SetQuota:
    quota_id: str
    year: int
    dimension: str
    key: str
    branch: str | None
    annual: Decimal
    last_year_months: tuple[Decimal, ...] | None  # 12 weights; None splits evenly
    at: datetime


@dataclass(frozen=True, slots=True)
class AdjustQuota:
    from_month: int
    percent: Decimal | None
    amount: Decimal | None
    reason: str
    at: datetime


Command: TypeAlias = SetQuota | AdjustQuota
Event: TypeAlias = QuotaSet | QuotaAdjusted


@dataclass(frozen=True, slots=True)
class Quota:
    quota_id: str
    year: int
    dimension: str
    key: str
    branch: str | None
    annual: Decimal
    months: tuple[Decimal, ...]
    adjustments: int = 0

    def month(self, m: int) -> Decimal:
        return self.months[m - 1]

    def quarter(self, q: int) -> Decimal:
        return sum(self.months[(q - 1) * 3 : q * 3], Decimal(0))

    def year_to_date(self, m: int) -> Decimal:
        return sum(self.months[:m], Decimal(0))


State: TypeAlias = Quota | None


def decide(command: Command, state: State) -> list[Event]:
    match command:
        case SetQuota():
            if state is not None:
                raise DomainError("This quota is already set; adjust it instead.")
            if command.dimension not in DIMENSIONS:
                raise DomainError(
                    f"A quota is set per {', '.join(sorted(DIMENSIONS))}.", field="dimension"
                )
            if command.annual <= 0:
                raise DomainError("The annual target must be above zero.", field="annual")
            weights = command.last_year_months
            if weights is not None and (
                len(weights) != 12 or any(w < 0 for w in weights) or not any(weights)
            ):
                raise DomainError(
                    "Last year's months are twelve amounts, none negative, not all zero.",
                    field="last_year_months",
                )
            months = split(command.annual, weights or (Decimal(1),) * 12)
            return [
                QuotaSet(
                    command.quota_id,
                    command.year,
                    command.dimension,
                    command.key,
                    command.branch,
                    sum(months, Decimal(0)),
                    months,
                    "even" if weights is None else "last_year",
                    command.at,
                )
            ]
        case AdjustQuota():
            if state is None:
                raise NotFound("There is no such quota.")
            if not command.reason.strip():
                raise DomainError("Every adjustment is recorded with its reason.", field="reason")
            if not 1 <= command.from_month <= 12:
                raise DomainError("Months are 1 to 12.", field="from_month")
            if (command.percent is None) == (command.amount is None):
                raise DomainError("Adjust by a percent or by an amount.", field="percent")
            ahead = state.months[command.from_month - 1 :]
            kept = state.months[: command.from_month - 1]
            before = sum(ahead, Decimal(0))
            if command.percent is not None:
                after = (before * (100 + command.percent) / 100).quantize(CENT, ROUND_HALF_UP)
            else:
                assert command.amount is not None
                after = before + command.amount
            if after < 0:
                by = "amount" if command.percent is None else "percent"
                raise DomainError("A quota cannot fall below zero.", field=by)
            weights = ahead if before > 0 else (Decimal(1),) * len(ahead)
            months = (*kept, *split(after, weights))
            return [
                QuotaAdjusted(
                    state.quota_id,
                    command.from_month,
                    command.percent,
                    command.amount,
                    command.reason,
                    months,
                    sum(months, Decimal(0)),
                    command.at,
                )
            ]
        case _:
            assert_never(command)


def evolve(state: State, event: Event) -> State:
    match event:
        case QuotaSet():
            return Quota(
                event.quota_id,
                event.year,
                event.dimension,
                event.key,
                event.branch,
                event.annual,
                event.months,
            )
        case QuotaAdjusted():
            assert state is not None
            return Quota(
                state.quota_id,
                state.year,
                state.dimension,
                state.key,
                state.branch,
                event.annual,
                event.months,
                state.adjustments + 1,
            )
        case _:
            assert_never(event)


def initial_state() -> State:
    return None


quota: Decider[Command, State, Event] = Decider(decide, evolve, initial_state)


def stream_id(year: int, dimension: str, key: str) -> str:
    return f"quota-{year}-{dimension}-{key}"
