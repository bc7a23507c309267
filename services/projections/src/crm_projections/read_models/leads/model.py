"""The `leads` read model: every lead (source, campaign, status, assignee, the first follow-up and
whether it was overdue, conversion) and every campaign (budget, actual cost, participants).

Views: `reporting.leads`, `reporting.overdue_leads` (the manager's list), `reporting.accounts`,
`reporting.neglected_customers` (days since the last logged interaction),
`reporting.campaign_effectiveness` (leads, opportunities and won revenue attributed to each
campaign, cost per lead and ROI = (attributed revenue - actual cost) / actual cost).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from crm_events import Envelope
from crm_events.leads import CONTEXT
from sqlalchemy import Table

from crm_projections.read_models.leads.tables import accounts as ac
from crm_projections.read_models.leads.tables import activities as act
from crm_projections.read_models.leads.tables import campaigns as cp
from crm_projections.read_models.leads.tables import leads as t
from crm_projections.readmodel import Key, ReadModel, Rows

ACTIVITIES = {"AccountInteractionLogged", "LeadFollowUpLogged"}


def keys(e: Envelope) -> Iterable[tuple[Table, Key]]:
    if e.type.startswith("Campaign"):
        return ((cp, (e.data["campaign_id"],)),)
    if e.type.startswith("Account") or e.type == "CustomerGradeChanged":
        return ((ac, (e.data["account_id"],)),)
    return ((t, (e.data["lead_id"],)),)


def _activity(rows: Rows, e: Envelope) -> None:
    """Who did what with a customer or lead, for the people report (visits, calls, ...)."""
    d: dict[str, Any] = e.data
    if e.type == "AccountInteractionLogged":
        branch, kind, account, lead = d["branch"], d["kind"], d["account_id"], None
    else:
        lead_row = rows.get(t, (d["lead_id"],))
        if lead_row is None:
            return
        branch, kind, account, lead = lead_row["branch"], d["channel"], None, d["lead_id"]
    rows.put(
        act,
        (str(e.event_id),),
        {
            "activity_id": str(e.event_id),
            "branch": branch,
            "user_id": d["by"],
            "kind": kind,
            "account_id": account,
            "lead_id": lead,
            "at": _at(d["at"]),
        },
    )


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _campaign(rows: Rows, e: Envelope) -> None:
    d: dict[str, Any] = e.data
    key = (d["campaign_id"],)
    if e.type == "CampaignPlanned":
        rows.put(
            cp,
            key,
            {
                "campaign_id": d["campaign_id"],
                "branch": d["branch"],
                "campaign_type": d["campaign_type"],
                "theme": d["theme"],
                "status": "planned",
                "starts_on": date.fromisoformat(d["starts_on"]),
                "ends_on": date.fromisoformat(d["ends_on"]),
                "budget": Decimal(d["budget"]),
                "actual_cost": Decimal(0),
                "participants": 0,
            },
        )
        return
    row = rows.get(cp, key)
    if row is None:
        return
    status = {
        "CampaignSubmitted": "submitted",
        "CampaignApproved": "approved",
        "CampaignRejected": "rejected",
        "CampaignStarted": "running",
        "CampaignCompleted": "completed",
        "CampaignCancelled": "cancelled",
    }
    if e.type in status:
        row = {**row, "status": status[e.type]}
    elif e.type == "CampaignRevised":
        row = {
            **row,
            "theme": d["theme"],
            "starts_on": date.fromisoformat(d["starts_on"]),
            "ends_on": date.fromisoformat(d["ends_on"]),
            "budget": Decimal(d["budget"]),
        }
    elif e.type == "CampaignCostRecorded":
        row = {**row, "actual_cost": row["actual_cost"] + Decimal(d["amount"])}
    elif e.type == "CampaignParticipantsRecorded":
        row = {**row, "participants": d["participants"]}
    rows.put(cp, key, row)


def _account(rows: Rows, e: Envelope) -> None:
    d: dict[str, Any] = e.data
    key = (d["account_id"],)
    if e.type == "AccountOpened":
        rows.put(
            ac,
            key,
            {
                "account_id": d["account_id"],
                "branch": d["branch"],
                "company": d["company"],
                "industry": d["industry"],
                "size": d["size"],
                "owner_id": d["owner_id"],
                "grade": None,
                "opened_at": _at(d["at"]),
                "interactions": 0,
                "interaction_cost": Decimal(0),
                "last_interaction_at": None,
                "growth_potential": None,
            },
        )
        return
    row = rows.get(ac, key)
    if row is None:
        return
    if e.type == "AccountInteractionLogged":
        at, last = _at(d["at"]), row["last_interaction_at"]
        row = {
            **row,
            "interactions": row["interactions"] + 1,
            "interaction_cost": row["interaction_cost"] + Decimal(d["cost"]),
            "last_interaction_at": at if last is None or at > last else last,
        }
    elif e.type == "AccountOwnerChanged":
        row = {**row, "owner_id": d["to_owner"]}
    elif e.type == "AccountDetailsUpdated":
        row = {**row, "company": d["company"], "industry": d["industry"], "size": d["size"]}
    elif e.type == "CustomerGradeChanged":
        row = {**row, "grade": d["grade"]}
    elif e.type == "AccountGrowthPotentialSet":
        row = {**row, "growth_potential": d["score"]}
    rows.put(ac, key, row)


def evolve(rows: Rows, e: Envelope) -> None:
    if e.type in ACTIVITIES:
        _activity(rows, e)
    if e.type.startswith("Campaign"):
        _campaign(rows, e)
        return
    if e.type.startswith("Account") or e.type == "CustomerGradeChanged":
        _account(rows, e)
        return
    d: dict[str, Any] = e.data
    key = (d["lead_id"],)
    if e.type == "LeadCaptured":
        rows.put(
            t,
            key,
            {
                "lead_id": d["lead_id"],
                "branch": d["branch"],
                "source": d["source"],
                "campaign_id": d.get("campaign_id"),
                "company": d["company"],
                "status": "new",
                "assignee": None,
                "captured_at": _at(d["at"]),
                "assigned_at": None,
                "first_follow_up_at": None,
                "overdue_since": None,
                "possible_duplicates": len(d.get("possible_duplicates") or ()),
                "converted_at": None,
                "account_id": None,
                "opportunity_id": None,
            },
        )
        return
    row = rows.get(t, key)
    if row is None:
        return
    match e.type:
        case "LeadAssigned":
            row = {
                **row,
                "status": "assigned" if row["status"] == "new" else row["status"],
                "assignee": d["to_rep"],
                "assigned_at": _at(d["at"]),
            }
        case "LeadFollowUpLogged":
            first = row["first_follow_up_at"] or _at(d["at"])
            status = "contacted" if row["status"] in ("new", "assigned") else row["status"]
            row = {**row, "first_follow_up_at": first, "status": status}
        case "LeadFollowUpOverdue":
            row = {**row, "overdue_since": _at(d["at"])}
        case "LeadNurtured":
            row = {**row, "status": "nurturing"}
        case "LeadQualified":
            row = {**row, "status": "qualified"}
        case "LeadDisqualified":
            row = {**row, "status": "disqualified"}
        case "LeadMerged":
            row = {**row, "status": "merged"}
        case "LeadConverted":
            row = {
                **row,
                "status": "converted",
                "converted_at": _at(d["converted_at"]),
                "account_id": d["account_id"],
                "opportunity_id": d["opportunity_id"],
            }
        case "LeadOwnerChanged":
            row = {**row, "assignee": d["to_rep"]}
        case _:
            return
    rows.put(t, key, row)


MODEL = ReadModel(
    name="leads",
    contexts=(CONTEXT,),
    tables=(t, cp, ac, act),
    handles=frozenset(
        {
            "LeadCaptured",
            "LeadAssigned",
            "LeadFollowUpLogged",
            "LeadFollowUpOverdue",
            "LeadNurtured",
            "LeadQualified",
            "LeadDisqualified",
            "LeadMerged",
            "LeadConverted",
            "LeadOwnerChanged",
            "CampaignPlanned",
            "CampaignRevised",
            "CampaignSubmitted",
            "CampaignApproved",
            "CampaignRejected",
            "CampaignStarted",
            "CampaignCompleted",
            "CampaignCancelled",
            "CampaignCostRecorded",
            "CampaignParticipantsRecorded",
            "AccountOpened",
            "AccountInteractionLogged",
            "AccountOwnerChanged",
            "AccountDetailsUpdated",
            "AccountGrowthPotentialSet",
            "CustomerGradeChanged",
        }
    ),
    keys=keys,
    evolve=evolve,
)
