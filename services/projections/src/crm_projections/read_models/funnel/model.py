"""The `funnel` read model: every opportunity's current stage, status and amount, and every
finished stay in a stage (for conversion rates and stage durations).

Views: `reporting.funnel` (open and won opportunities per branch and stage), `reporting.opportunities`,
`reporting.stage_stays`, `reporting.lost_deals`, `reporting.competitor_results`. The gateway's funnel and forecast reports and BI tools read those.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from crm_events import Envelope
from crm_events.opportunities import CONTEXT
from sqlalchemy import Table

from crm_projections.read_models.funnel.tables import funnel_opportunities as t
from crm_projections.read_models.funnel.tables import opportunity_competitors as competitors
from crm_projections.read_models.funnel.tables import opportunity_stays as stays
from crm_projections.readmodel import Key, ReadModel, Row, Rows

WON = "won"


def keys(e: Envelope) -> Iterable[tuple[Table, Key]]:
    return ((t, (e.data["opportunity_id"],)),)


def _competitor(rows: Rows, e: Envelope) -> None:
    d = e.data
    key = (d["opportunity_id"], d["competitor"])
    if e.type == "OpportunityCompetitorRemoved":
        rows.delete(competitors, key)
        return
    quote = d.get("their_quote")
    rows.put(
        competitors,
        key,
        {
            "opportunity_id": d["opportunity_id"],
            "competitor": d["competitor"],
            "their_quote": Decimal(quote) if quote is not None else None,
        },
    )


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _end_stay(rows: Rows, row: Row, left_at: datetime, next_stage: str | None, lost: bool) -> None:
    key = (row["opportunity_id"], row["stay_seq"])
    rows.put(
        stays,
        key,
        {
            "opportunity_id": row["opportunity_id"],
            "seq": row["stay_seq"],
            "branch": row["branch"],
            "stage": row["stage"],
            "entered_at": row["stage_entered_at"],
            "left_at": left_at,
            "next_stage": next_stage,
            "lost": lost,
        },
    )


def _opened(d: dict[str, Any]) -> Row:
    at = _at(d["opened_at"])
    return {
        "opportunity_id": d["opportunity_id"],
        "branch": d["branch"],
        "account_id": d["account_id"],
        "owner_id": d["owner_id"],
        "name": d["name"],
        "stage": d["stage"],
        "status": "open",
        "amount": Decimal(d["amount"]),
        "currency": d["currency"],
        "opened_at": at,
        "stage_entered_at": at,
        "stay_seq": 1,
        "expected_close": date.fromisoformat(d["expected_close"]),
        "lead_id": d.get("lead_id"),
        "campaign_id": d.get("campaign_id"),
        "closed_at": None,
        "lost_reason": None,
        "lost_stage": None,
        "competitor": None,
        "competitor_price": None,
        "quotes": 0,
    }


def evolve(rows: Rows, e: Envelope) -> None:
    d: dict[str, Any] = e.data
    key = (d["opportunity_id"],)
    if e.type == "OpportunityOpened":
        rows.put(t, key, _opened(d))
        return
    if e.type in ("OpportunityCompetitorTracked", "OpportunityCompetitorRemoved"):
        _competitor(rows, e)
        return
    row = rows.get(t, key)
    if row is None:
        return
    match e.type:
        case "OpportunityStageChanged":
            at = _at(d["changed_at"])
            _end_stay(rows, row, at, d["to_stage"], False)
            row = {
                **row,
                "stage": d["to_stage"],
                "stage_entered_at": at,
                "stay_seq": row["stay_seq"] + 1,
            }
            if d["to_stage"] == WON:
                row |= {"status": "won", "closed_at": at}
        case "OpportunityWon":
            row = {
                **row,
                "status": "won",
                "amount": Decimal(d["amount"]),
                "closed_at": _at(d["won_at"]),
            }
        case "OpportunityLost":
            at = _at(d["lost_at"])
            _end_stay(rows, row, at, None, True)
            price = d.get("competitor_price")
            row = {
                **row,
                "status": "lost",
                "closed_at": at,
                "lost_reason": d["reason"],
                "lost_stage": d["stage"],
                "competitor": d.get("competitor"),
                "competitor_price": Decimal(price) if price is not None else None,
            }
        case "OpportunitySuspended":
            row = {**row, "status": "suspended"}
        case "OpportunityReactivated":
            row = {**row, "status": "open"}
        case "OpportunityDetailsUpdated":
            row = {
                **row,
                "name": d["name"],
                "amount": Decimal(d["amount"]),
                "expected_close": date.fromisoformat(d["expected_close"]),
            }
        case "OpportunityOwnerChanged":
            row = {**row, "owner_id": d["to_owner"]}
        case "OpportunityQuoteAdded":
            row = {**row, "quotes": row["quotes"] + 1}
        case _:
            return
    rows.put(t, key, row)


MODEL = ReadModel(
    name="funnel",
    contexts=(CONTEXT,),
    tables=(t, stays, competitors),
    handles=frozenset(
        {
            "OpportunityOpened",
            "OpportunityStageChanged",
            "OpportunityWon",
            "OpportunityLost",
            "OpportunitySuspended",
            "OpportunityReactivated",
            "OpportunityDetailsUpdated",
            "OpportunityOwnerChanged",
            "OpportunityQuoteAdded",
            "OpportunityCompetitorTracked",
            "OpportunityCompetitorRemoved",
        }
    ),
    keys=keys,
    evolve=evolve,
    version=4,
)
