"""After signing: amendments (new versions), deliveries and returns against lines."""

from __future__ import annotations

from decimal import Decimal

from crm_events.contracts import (
    ContractAmended,
    ContractLine,
    ContractLineDelivered,
    ContractLineReturned,
)
from crm_platform.domain import DomainError

from crm_contracts.domain.contract.commands import (
    AmendContract,
    Event,
    RecordDelivery,
    RecordReturn,
)
from crm_contracts.domain.contract.state import (
    Approved,
    Binding,
    Contract,
    Draft,
    InExecution,
    Signed,
    Submitted,
    Suspended,
)
from crm_contracts.domain.lines import amount_of, cents, validate_lines
from crm_contracts.domain.plan import validate_plan


def amend(c: Contract, command: AmendContract) -> list[Event]:
    if isinstance(c, Draft | Submitted | Approved):
        raise DomainError("Until it is signed, a contract is changed by editing its draft.")
    if not isinstance(c, Signed | InExecution | Suspended):
        raise DomainError(f"This contract is {c.status}; it can no longer be amended.")
    if not command.reason.strip():
        raise DomainError("Say why the contract is amended.", field="reason")
    validate_lines(command.lines)
    after = {ln.line_id: ln for ln in command.lines}
    for line_id, delivered in c.delivered.items():
        line = after.get(line_id)
        if line is None or line.quantity < delivered:
            raise DomainError(
                f"{delivered} of line {line_id} are delivered; the line cannot go below that.",
                field="lines",
            )
    amount = amount_of(command.lines)
    validate_plan(command.instalments, amount)
    for inst in c.instalments:
        if inst.paid > 0 and (inst.number, inst.due, inst.amount) not in {
            (i.number, i.due, i.amount) for i in command.instalments
        }:
            raise DomainError(
                f"Instalment {inst.number} has payments against it; it must stay as it is.",
                field="instalments",
            )
    if command.lines == c.lines and command.instalments == c.plan:
        raise DomainError("This amendment changes nothing.", field="lines")
    return [
        ContractAmended(
            contract_id=c.contract_id,
            version=c.version + 1,
            reason=command.reason,
            lines=command.lines,
            amount=amount,
            previous_amount=c.amount,
            instalments=command.instalments,
            by=command.by,
            at=command.at,
        )
    ]


def _line(c: Contract, line_id: str) -> ContractLine:
    for ln in c.lines:
        if ln.line_id == line_id:
            return ln
    raise DomainError("There is no such line on this contract.", field="line_id")


def deliver(c: Contract, command: RecordDelivery) -> list[Event]:
    if isinstance(c, Suspended):
        raise DomainError("This contract is suspended; resume it before delivering.")
    if not isinstance(c, InExecution):
        raise DomainError("Deliveries are recorded while the contract is in execution.")
    line = _line(c, command.line_id)
    if command.quantity <= 0:
        raise DomainError("A delivery is a quantity above zero.", field="quantity")
    remaining = line.quantity - c.delivered.get(line.line_id, Decimal(0))
    if command.quantity > remaining:
        raise DomainError(
            f"Only {remaining} of {line.product} remain to be delivered.", field="quantity"
        )
    return [
        ContractLineDelivered(
            c.contract_id,
            command.delivery_id,
            line.line_id,
            line.product,
            command.quantity,
            command.at,
        )
    ]


def take_back(c: Contract, command: RecordReturn) -> list[Event]:
    if not isinstance(c, Binding):
        raise DomainError(f"This contract is {c.status}; no returns can be recorded against it.")
    line = _line(c, command.line_id)
    if command.quantity <= 0:
        raise DomainError("A return is a quantity above zero.", field="quantity")
    returnable = c.delivered.get(line.line_id, Decimal(0)) - c.returned.get(
        line.line_id, Decimal(0)
    )
    if command.quantity > returnable:
        raise DomainError(
            f"Only {returnable} of {line.product} were delivered and not yet returned.",
            field="quantity",
        )
    if not command.reason.strip():
        raise DomainError("Say why the goods came back.", field="reason")
    return [
        ContractLineReturned(
            contract_id=c.contract_id,
            return_id=command.return_id,
            line_id=line.line_id,
            product=line.product,
            product_line=line.product_line,
            quantity=command.quantity,
            value=cents(command.quantity * line.unit_price),
            reason=command.reason,
            at=command.at,
        )
    ]
