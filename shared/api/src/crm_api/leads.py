"""Routes of the leads context: campaigns, leads, customer accounts (DOMAIN.md §1).

Decisions: marketing plans and runs campaigns (and the branch manager, who alone approves or
rejects them); sales reps, marketing and the branch manager capture and work leads; only the
branch manager assigns by hand, merges duplicates, sets the routing roster and transfers an
owner's records; reps and the manager keep accounts; grades are set by admin (until the analysis
computes them) and overridden by the branch manager; HQ roles may act for any branch; everyone
reads, auditors included. The request models are in crm_api.leads_bodies.
"""

from __future__ import annotations

from crm_api.leads_bodies import (
    AssignLead,
    CampaignOrLeadReason,
    CaptureLead,
    Contact,
    ConvertLead,
    Cost,
    Delegation,
    FollowUp,
    GradeBody,
    GrowthPotential,
    Interaction,
    MergeLead,
    OpenAccount,
    OverrideBody,
    OwnerTransfer,
    Participants,
    PlanCampaign,
    Region,
    ReviseCampaign,
    Roster,
    UpdateAccount,
)
from crm_api.routes import ADMIN, HQ_WRITERS, MANAGER, READERS, SALES, Route

MARKETERS = frozenset({"marketing", "branch_manager"}) | HQ_WRITERS
LEAD_WORKERS = frozenset({"sales_rep", "marketing", "branch_manager"}) | HQ_WRITERS
ACCOUNT_KEEPERS = SALES | HQ_WRITERS
MANAGERS = MANAGER | HQ_WRITERS


def _r(
    name: str, method: str, path: str, summary: str, roles: frozenset[str], tag: str, **kw: object
) -> Route:
    return Route(name, method, path, summary, roles, tags=(tag,), **kw)  # type: ignore[arg-type]


CAMPAIGN = "/campaigns/{campaign_id}"
LEAD = "/leads/{lead_id}"
ACCOUNT = "/accounts/{account_id}"
PLAN_CAMPAIGN = _r(
    "plan_campaign",
    "POST",
    "/campaigns",
    "Plan a campaign",
    MARKETERS,
    "campaigns",
    body=PlanCampaign,
    status=201,
)
REVISE_CAMPAIGN = _r(
    "revise_campaign",
    "PUT",
    CAMPAIGN,
    "Revise a planned or rejected campaign",
    MARKETERS,
    "campaigns",
    body=ReviseCampaign,
)
SUBMIT_CAMPAIGN = _r(
    "submit_campaign",
    "POST",
    CAMPAIGN + "/submit",
    "Submit a campaign for approval",
    MARKETERS,
    "campaigns",
)
APPROVE_CAMPAIGN = _r(
    "approve_campaign",
    "POST",
    CAMPAIGN + "/approve",
    "Approve a submitted campaign",
    MANAGER,
    "campaigns",
)
REJECT_CAMPAIGN = _r(
    "reject_campaign",
    "POST",
    CAMPAIGN + "/reject",
    "Reject a submitted campaign",
    MANAGER,
    "campaigns",
    body=CampaignOrLeadReason,
)
START_CAMPAIGN = _r(
    "start_campaign",
    "POST",
    CAMPAIGN + "/start",
    "Start an approved campaign",
    MARKETERS,
    "campaigns",
)
COMPLETE_CAMPAIGN = _r(
    "complete_campaign",
    "POST",
    CAMPAIGN + "/complete",
    "Complete a running campaign",
    MARKETERS,
    "campaigns",
)
CANCEL_CAMPAIGN = _r(
    "cancel_campaign",
    "POST",
    CAMPAIGN + "/cancel",
    "Cancel a campaign before it completes",
    MARKETERS,
    "campaigns",
    body=CampaignOrLeadReason,
)
RECORD_CAMPAIGN_COST = _r(
    "record_campaign_cost",
    "POST",
    CAMPAIGN + "/costs",
    "Record an actual cost",
    MARKETERS,
    "campaigns",
    body=Cost,
)
RECORD_CAMPAIGN_PARTICIPANTS = _r(
    "record_campaign_participants",
    "PUT",
    CAMPAIGN + "/participants",
    "Record the actual participants",
    MARKETERS,
    "campaigns",
    body=Participants,
)
GET_CAMPAIGN = _r(
    "get_campaign", "GET", CAMPAIGN, "A campaign's current state", READERS, "campaigns"
)
CAPTURE_LEAD = _r(
    "capture_lead",
    "POST",
    "/leads",
    "Capture a lead; possible duplicates are flagged",
    LEAD_WORKERS,
    "leads",
    body=CaptureLead,
    status=201,
)
ASSIGN_LEAD = _r(
    "assign_lead",
    "POST",
    LEAD + "/assign",
    "Assign a lead to a rep",
    MANAGERS,
    "leads",
    body=AssignLead,
)
AUTO_ASSIGN_LEAD = _r(
    "auto_assign_lead",
    "POST",
    LEAD + "/auto-assign",
    "Assign by the branch's round robin",
    LEAD_WORKERS,
    "leads",
)
LOG_LEAD_FOLLOW_UP = _r(
    "log_lead_follow_up",
    "POST",
    LEAD + "/follow-ups",
    "Log a follow-up",
    LEAD_WORKERS,
    "leads",
    body=FollowUp,
)
NURTURE_LEAD = _r(
    "nurture_lead",
    "POST",
    LEAD + "/nurture",
    "Hand a lead not ready to buy to marketing",
    LEAD_WORKERS,
    "leads",
    body=CampaignOrLeadReason,
)
QUALIFY_LEAD = _r(
    "qualify_lead", "POST", LEAD + "/qualify", "Qualify a contacted lead", LEAD_WORKERS, "leads"
)
DISQUALIFY_LEAD = _r(
    "disqualify_lead",
    "POST",
    LEAD + "/disqualify",
    "Disqualify a lead, with the reason",
    LEAD_WORKERS,
    "leads",
    body=CampaignOrLeadReason,
)
CONVERT_LEAD = _r(
    "convert_lead",
    "POST",
    LEAD + "/convert",
    "Convert: account opened or attached, opportunity opened",
    SALES | HQ_WRITERS,
    "leads",
    body=ConvertLead,
)
MERGE_LEAD = _r(
    "merge_lead",
    "POST",
    LEAD + "/merge",
    "Merge a duplicate into this lead",
    MANAGERS,
    "leads",
    body=MergeLead,
)
GET_LEAD = _r("get_lead", "GET", LEAD, "A lead's current state", READERS, "leads")
SET_LEAD_ROSTER = _r(
    "set_lead_roster",
    "PUT",
    "/lead-rosters/{branch}",
    "Set the reps new leads go to in turn, and the follow-up limit",
    MANAGERS,
    "leads",
    body=Roster,
)
OPEN_ACCOUNT = _r(
    "open_account",
    "POST",
    "/accounts",
    "Open a customer account",
    ACCOUNT_KEEPERS,
    "accounts",
    body=OpenAccount,
    status=201,
)
UPDATE_ACCOUNT = _r(
    "update_account",
    "PUT",
    ACCOUNT,
    "Change an account's details and credit terms",
    ACCOUNT_KEEPERS,
    "accounts",
    body=UpdateAccount,
)
SAVE_ACCOUNT_CONTACT = _r(
    "save_account_contact",
    "POST",
    ACCOUNT + "/contacts",
    "Add or update a contact",
    ACCOUNT_KEEPERS,
    "accounts",
    body=Contact,
)
REMOVE_ACCOUNT_CONTACT = _r(
    "remove_account_contact",
    "DELETE",
    ACCOUNT + "/contacts/{contact_id}",
    "Remove a contact",
    ACCOUNT_KEEPERS,
    "accounts",
)
LOG_ACCOUNT_INTERACTION = _r(
    "log_account_interaction",
    "POST",
    ACCOUNT + "/interactions",
    "Log a visit, call, e-mail, meeting, quote or complaint",
    ACCOUNT_KEEPERS | frozenset({"service_agent"}),
    "accounts",
    body=Interaction,
)
DELEGATE_ACCOUNT = _r(
    "delegate_account",
    "POST",
    ACCOUNT + "/delegations",
    "Let someone act for the owner for a period",
    MANAGERS,
    "accounts",
    body=Delegation,
)
REVOKE_ACCOUNT_DELEGATION = _r(
    "revoke_account_delegation",
    "DELETE",
    ACCOUNT + "/delegations/{delegate}",
    "End a delegation early",
    MANAGERS,
    "accounts",
)
SET_ACCOUNT_GRADE = _r(
    "set_account_grade",
    "PUT",
    ACCOUNT + "/grade",
    "Set the computed grade (until the analysis sets it)",
    ADMIN,
    "accounts",
    body=GradeBody,
)
OVERRIDE_ACCOUNT_GRADE = _r(
    "override_account_grade",
    "POST",
    ACCOUNT + "/grade-override",
    "Override the grade; it wins until cleared",
    MANAGER | ADMIN,
    "accounts",
    body=OverrideBody,
)
CLEAR_ACCOUNT_GRADE_OVERRIDE = _r(
    "clear_account_grade_override",
    "DELETE",
    ACCOUNT + "/grade-override",
    "Clear a grade override",
    MANAGER | ADMIN,
    "accounts",
)
SET_ACCOUNT_GROWTH_POTENTIAL = _r(
    "set_account_growth_potential",
    "PUT",
    ACCOUNT + "/growth-potential",
    "Estimate a new customer's value (0-100) until its history can be scored",
    MANAGER | ADMIN,
    "accounts",
    body=GrowthPotential,
)
GET_ACCOUNT = _r("get_account", "GET", ACCOUNT, "An account's current state", READERS, "accounts")
PLACE_BRANCH = _r(
    "place_branch",
    "PUT",
    "/branches/{branch}/region",
    "Place a branch in a region of the organisation tree (or move it)",
    ADMIN,
    "organisation",
    body=Region,
)
GET_ORGANISATION = _r(
    "get_organisation",
    "GET",
    "/organisation",
    "The organisation tree: regions and their branches",
    READERS,
    "organisation",
)
TRANSFER_OWNER = _r(
    "transfer_owner",
    "POST",
    "/transfers",
    "Move all of an owner's accounts, leads and open opportunities to a successor",
    MANAGERS,
    "accounts",
    body=OwnerTransfer,
    status=201,
)

ROUTES = (
    PLAN_CAMPAIGN,
    REVISE_CAMPAIGN,
    SUBMIT_CAMPAIGN,
    APPROVE_CAMPAIGN,
    REJECT_CAMPAIGN,
    START_CAMPAIGN,
    COMPLETE_CAMPAIGN,
    CANCEL_CAMPAIGN,
    RECORD_CAMPAIGN_COST,
    RECORD_CAMPAIGN_PARTICIPANTS,
    GET_CAMPAIGN,
    CAPTURE_LEAD,
    ASSIGN_LEAD,
    AUTO_ASSIGN_LEAD,
    LOG_LEAD_FOLLOW_UP,
    NURTURE_LEAD,
    QUALIFY_LEAD,
    DISQUALIFY_LEAD,
    CONVERT_LEAD,
    MERGE_LEAD,
    GET_LEAD,
    SET_LEAD_ROSTER,
    OPEN_ACCOUNT,
    UPDATE_ACCOUNT,
    SAVE_ACCOUNT_CONTACT,
    REMOVE_ACCOUNT_CONTACT,
    LOG_ACCOUNT_INTERACTION,
    DELEGATE_ACCOUNT,
    REVOKE_ACCOUNT_DELEGATION,
    SET_ACCOUNT_GRADE,
    OVERRIDE_ACCOUNT_GRADE,
    CLEAR_ACCOUNT_GRADE_OVERRIDE,
    SET_ACCOUNT_GROWTH_POTENTIAL,
    GET_ACCOUNT,
    PLACE_BRANCH,
    GET_ORGANISATION,
    TRANSFER_OWNER,
)

# the request models, re-exported: callers name them crm_api.leads.X, as in the other contexts
__all__ = [
    "AssignLead",
    "CampaignOrLeadReason",
    "CaptureLead",
    "Contact",
    "ConvertLead",
    "Cost",
    "Delegation",
    "FollowUp",
    "GradeBody",
    "GrowthPotential",
    "Interaction",
    "MergeLead",
    "OpenAccount",
    "OverrideBody",
    "OwnerTransfer",
    "Participants",
    "PlanCampaign",
    "Region",
    "ReviseCampaign",
    "Roster",
    "UpdateAccount",
]
