"""Money owed on a contract: payments against instalments and the scheduled overdue check.

Both record their consequences once: an instalment is flagged overdue once, settled once (when it is
paid in full after its due date), and a contract raises its bad-debt risk once.
"""

from __future__ import annotations

from decimal import Decimal

from crm_events.contracts import (
    ContractBadDebtRiskRaised,
    ContractPaymentReceived,
    InstalmentOverdue,
    InstalmentOverdueSettled,
)
from crm_platform.domain import DomainError

from crm_contracts.domain.contract.commands import CheckOverdue, Event, RecordPayment
from crm_contracts.domain.contract.state import Binding, Closed, Contract, State
from crm_contracts.domain.plan import allocate, overdue, whole_cents


def pay(c: Contract, command: RecordPayment) -> list[Event]:
    if isinstance(c, Closed):
        raise DomainError("This contract is closed; it takes no more payments.")
    if not isinstance(c, Binding):
        raise DomainError("Payments are recorded once the contract is signed.")
    if command.amount <= 0 or not whole_cents(command.amount):
        raise DomainError("A payment is an amount above zero in whole cents.", field="amount")
    if command.instalment not in {i.number for i in c.instalments}:
        raise DomainError("There is no such instalment on this contract.", field="instalment")
    allocations, credit = allocate(c.instalments, command.instalment, command.amount)
    events: list[Event] = [
        ContractPaymentReceived(
            contract_id=c.contract_id,
            payment_id=command.payment_id,
            instalment=command.instalment,
            amount=command.amount,
            received_at=command.received_at,
            reference=command.reference,
            allocations=allocations,
            credit=credit,
            at=command.at,
        )
    ]
    applied = {a.instalment: a.amount for a in allocations}
    for inst in c.instalments:
        if applied.get(inst.number) != inst.open:
            continue  # not paid off by this payment
        days_late = (command.received_at.date() - inst.due).days
        if inst.overdue or days_late > 0:
            events.append(
                InstalmentOverdueSettled(
                    contract_id=c.contract_id,
                    account_id=c.account_id,
                    branch=c.branch,
                    instalment=inst.number,
                    due=inst.due,
                    settled_at=command.received_at,
                    days_late=max(days_late, 0),
                    at=command.at,
                )
            )
    return events


def check_overdue(state: State, command: CheckOverdue) -> list[Event]:
    """Flag what fell overdue since the last check; raise the bad-debt risk past the threshold.
    A contract that is not signed (or already closed) has nothing to check."""
    if not isinstance(state, Binding):
        return []
    today = command.now.date()
    late = overdue(state.instalments, today)
    events: list[Event] = [
        InstalmentOverdue(
            contract_id=state.contract_id,
            account_id=state.account_id,
            branch=state.branch,
            instalment=i.number,
            due=i.due,
            outstanding=i.open,
            at=command.now,
        )
        for i in late
        if not i.overdue
    ]
    if late and not state.bad_debt_raised:
        oldest = late[0]
        days = (today - oldest.due).days
        if days > command.bad_debt_days:
            events.append(
                ContractBadDebtRiskRaised(
                    contract_id=state.contract_id,
                    account_id=state.account_id,
                    branch=state.branch,
                    instalment=oldest.number,
                    due=oldest.due,
                    days_overdue=days,
                    overdue_amount=sum((i.open for i in late), Decimal(0)),
                    threshold_days=command.bad_debt_days,
                    at=command.now,
                )
            )
    return events
