"""The `contracts` read model: every contract (status, amount, cost, collected, credit, returns),
its current lines (delivered and returned quantities), its current instalments (paid, overdue) and
every payment's allocations (collections and arrears as of any past moment).

Views: `reporting.contracts` (margin, outstanding, percent collected), `reporting.contract_instalments`
(days overdue as of today), `reporting.receivables` (per signed contract: outstanding, overdue,
bad-debt risk), `reporting.product_sales` (per signed line: revenue, margin, returns). Customer
value, product rankings and the regional rollups read these.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from crm_events import Envelope
from crm_events.contracts import CONTEXT
from sqlalchemy import Table

from crm_projections.read_models.contracts.tables import contract_allocations as alloc
from crm_projections.read_models.contracts.tables import contract_instalments as inst
from crm_projections.read_models.contracts.tables import contract_lines as cl
from crm_projections.read_models.contracts.tables import contracts as t
from crm_projections.readmodel import Key, ReadModel, Row, Rows

STATUS = {
    "ContractSubmitted": "submitted",
    "ContractApproved": "approved",
    "ContractRejected": "draft",
    "ContractExecutionStarted": "in_execution",
    "ContractSuspended": "suspended",
    "ContractResumed": "in_execution",
    "ContractClosed": "closed",
}


def keys(e: Envelope) -> Iterable[tuple[Table, Key]]:
    d = e.data
    cid = d["contract_id"]
    yield t, (cid,)
    for line in d.get("lines", ()):
        yield cl, (cid, line["line_id"])
    if "line_id" in d:
        yield cl, (cid, d["line_id"])
    for i in d.get("instalments", ()):
        yield inst, (cid, i["number"])
    for a in d.get("allocations", ()):
        yield inst, (cid, a["instalment"])
    if "instalment" in d:
        yield inst, (cid, d["instalment"])


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _lines(rows: Rows, contract: Row, lines: list[dict[str, Any]]) -> Row:
    """Replace the contract's lines; a kept line keeps what was delivered and returned."""
    cid = contract["contract_id"]
    new = [line["line_id"] for line in lines]
    for gone in set(filter(None, contract["line_ids"].split(","))) - set(new):
        rows.delete(cl, (cid, gone))
    for line in lines:
        key = (cid, line["line_id"])
        before = rows.get(cl, key) or {
            "delivered": Decimal(0),
            "returned": Decimal(0),
            "returned_value": Decimal(0),
        }
        rows.put(
            cl,
            key,
            {
                "contract_id": cid,
                "line_id": line["line_id"],
                "branch": contract["branch"],
                "product": line["product"],
                "product_line": line["product_line"],
                "quantity": Decimal(line["quantity"]),
                "unit_price": Decimal(line["unit_price"]),
                "unit_cost": Decimal(line["unit_cost"]),
                "delivered": before["delivered"],
                "returned": before["returned"],
                "returned_value": before["returned_value"],
            },
        )
    cost = sum((Decimal(x["quantity"]) * Decimal(x["unit_cost"]) for x in lines), Decimal(0))
    return {**contract, "line_ids": ",".join(new), "cost": cost.quantize(Decimal("0.01"))}


def _plan(rows: Rows, contract: Row, instalments: list[dict[str, Any]]) -> Row:
    """Replace the plan; an instalment kept by number keeps its payments and overdue record."""
    cid = contract["contract_id"]
    for number in range(len(instalments) + 1, contract["instalments"] + 1):
        rows.delete(inst, (cid, number))
    for i in instalments:
        key = (cid, i["number"])
        before = rows.get(inst, key) or {
            "paid": Decimal(0),
            "last_paid_at": None,
            "overdue_at": None,
            "days_late": None,
        }
        rows.put(
            inst,
            key,
            {
                "contract_id": cid,
                "number": i["number"],
                "branch": contract["branch"],
                "account_id": contract["account_id"],
                "due": date.fromisoformat(i["due"]),
                "amount": Decimal(i["amount"]),
                "paid": before["paid"],
                "last_paid_at": before["last_paid_at"],
                "overdue_at": before["overdue_at"],
                "days_late": before["days_late"],
            },
        )
    return {**contract, "instalments": len(instalments)}


def _instalment(rows: Rows, cid: str, number: int, **changes: Any) -> None:
    row = rows.get(inst, (cid, number))
    if row is not None:
        rows.put(inst, (cid, number), {**row, **changes})


def _drafted(d: dict[str, Any]) -> Row:
    return {
        "contract_id": d["contract_id"],
        "branch": d["branch"],
        "account_id": d["account_id"],
        "owner_id": d["owner_id"],
        "opportunity_id": d.get("opportunity_id"),
        "campaign_id": d.get("campaign_id"),
        "currency": d["currency"],
        "status": "draft",
        "version": 1,
        "amount": Decimal(d["amount"]),
        "cost": Decimal(0),
        "collected": Decimal(0),
        "credit": Decimal(0),
        "returned_value": Decimal(0),
        "drafted_at": _at(d["drafted_at"]),
        "signed_at": None,
        "ended_at": None,
        "bad_debt_at": None,
        "line_ids": "",
        "instalments": 0,
    }


def _payment(rows: Rows, row: Row, d: dict[str, Any]) -> Row:
    """Allocations to instalments, the amount collected and the credit left over."""
    paid_at = _at(d["received_at"])
    applied = Decimal(0)
    for a in d["allocations"]:
        rows.put(
            alloc,
            (d["contract_id"], d["payment_id"], a["instalment"]),
            {
                "contract_id": d["contract_id"],
                "payment_id": d["payment_id"],
                "instalment": a["instalment"],
                "branch": row["branch"],
                "amount": Decimal(a["amount"]),
                "received_at": paid_at,
            },
        )
        before = rows.get(inst, (d["contract_id"], a["instalment"]))
        if before is not None:
            paid = before["paid"] + Decimal(a["amount"])
            number = a["instalment"]
            _instalment(rows, d["contract_id"], number, paid=paid, last_paid_at=paid_at)
        applied += Decimal(a["amount"])
    return {
        **row,
        "collected": row["collected"] + applied,
        "credit": row["credit"] + Decimal(d["credit"]),
    }


def evolve(rows: Rows, e: Envelope) -> None:
    d: dict[str, Any] = e.data
    key = (d["contract_id"],)
    if e.type == "ContractDrafted":
        rows.put(t, key, _lines(rows, _drafted(d), d["lines"]))
        return
    row = rows.get(t, key)
    if row is None:
        return
    match e.type:
        case "ContractDraftRevised":
            row = {**_lines(rows, row, d["lines"]), "amount": Decimal(d["amount"])}
        case "ContractPaymentPlanSet":
            row = _plan(rows, row, d["instalments"])
        case "ContractSigned":
            row = {**row, "status": "signed", "signed_at": _at(d["signed_at"])}
        case "ContractAmended":
            row = _plan(rows, _lines(rows, row, d["lines"]), d["instalments"])
            row = {**row, "amount": Decimal(d["amount"]), "version": d["version"]}
        case "ContractCompleted" | "ContractTerminated":
            status = "completed" if e.type == "ContractCompleted" else "terminated"
            row = {**row, "status": status, "ended_at": _at(d["at"])}
        case "ContractPaymentReceived":
            row = _payment(rows, row, d)
        case "ContractLineDelivered":
            line = rows.get(cl, (d["contract_id"], d["line_id"]))
            if line is not None:
                delivered = line["delivered"] + Decimal(d["quantity"])
                rows.put(cl, (d["contract_id"], d["line_id"]), {**line, "delivered": delivered})
            return
        case "ContractLineReturned":
            line = rows.get(cl, (d["contract_id"], d["line_id"]))
            value = Decimal(d["value"])
            if line is not None:
                rows.put(
                    cl,
                    (d["contract_id"], d["line_id"]),
                    {
                        **line,
                        "returned": line["returned"] + Decimal(d["quantity"]),
                        "returned_value": line["returned_value"] + value,
                    },
                )
            row = {**row, "returned_value": row["returned_value"] + value}
        case "InstalmentOverdue":
            _instalment(rows, d["contract_id"], d["instalment"], overdue_at=_at(d["at"]))
            return
        case "InstalmentOverdueSettled":
            _instalment(rows, d["contract_id"], d["instalment"], days_late=d["days_late"])
            return
        case "ContractBadDebtRiskRaised":
            row = {**row, "bad_debt_at": row["bad_debt_at"] or _at(d["at"])}
        case _ if e.type in STATUS:
            row = {**row, "status": STATUS[e.type]}
        case _:
            return
    rows.put(t, key, row)


MODEL = ReadModel(
    name="contracts",
    contexts=(CONTEXT,),
    tables=(t, cl, inst, alloc),
    handles=frozenset(
        {
            "ContractDrafted",
            "ContractDraftRevised",
            "ContractPaymentPlanSet",
            "ContractSigned",
            "ContractAmended",
            "ContractCompleted",
            "ContractTerminated",
            "ContractPaymentReceived",
            "ContractLineDelivered",
            "ContractLineReturned",
            "InstalmentOverdue",
            "InstalmentOverdueSettled",
            "ContractBadDebtRiskRaised",
            *STATUS,
        }
    ),
    keys=keys,
    evolve=evolve,
)
