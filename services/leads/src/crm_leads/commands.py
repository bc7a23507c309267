"""The leads context's command table (crm_platform.commands). What spans several streams (contact
keys, the round robin, conversion, merges, an owner's transfer) is written in crm_leads.spanning."""

from __future__ import annotations

from typing import Any

from crm_api import leads as api
from crm_api.reports import ANALYST
from crm_events.leads import AccountContact
from crm_platform.commands import Call, Custom, Records, Shown, Spec, Write, branch_for, seen_branch
from crm_platform.handler import load
from crm_platform.http import plain

from crm_leads import spanning
from crm_leads.domain import account as a
from crm_leads.domain import campaign as cp
from crm_leads.domain import lead as ld
from crm_leads.domain import routing as r

# A lead's and a campaign's answers keep the fields they had before their states became a type per
# status: every field in this order, the status among them, and a field its status lacks empty.
LEAD_ANSWER = (
    "lead_id",
    "branch",
    "source",
    "campaign_id",
    "company",
    "contact_name",
    "email",
    "phone",
    "possible_duplicates",
    "status",
    "assignee",
    "assigned_at",
    "follow_ups",
    "overdue",
    "merged",
    "transfers",
    "account_id",
    "opportunity_id",
)
CAMPAIGN_ANSWER = (
    "campaign_id",
    "branch",
    "campaign_type",
    "theme",
    "segment",
    "starts_on",
    "ends_on",
    "budget",
    "status",
    "actual_cost",
    "participants",
    "rejection",
)


def _answer(state: ld.Lead | cp.Campaign, record_id: str, names: tuple[str, ...]) -> dict[str, Any]:
    shown = dict(plain(state)) | {"status": state.status}
    return {name: shown.get(name) for name in names} | {"id": record_id}


# --- campaigns ----------------------------------------------------------------------------------
def _plan(call: Call, _: cp.State) -> cp.Plan:
    b: api.PlanCampaign = call.body
    return cp.Plan(
        call.record_id,
        branch_for(call.actor, b.branch),
        b.campaign_type,
        b.theme,
        b.segment,
        b.starts_on,
        b.ends_on,
        b.budget,
        call.by,
        call.at,
    )


_campaign = Records(cp.campaign, cp.stream_id, "campaign", "campaign_id")


CAMPAIGNS: tuple[Spec, ...] = (
    _campaign.opens(api.PLAN_CAMPAIGN, _plan),
    _campaign(
        api.REVISE_CAMPAIGN,
        lambda c, _: cp.Revise(
            c.body.theme, c.body.segment, c.body.starts_on, c.body.ends_on, c.body.budget, c.at
        ),
    ),
    _campaign(api.SUBMIT_CAMPAIGN, lambda c, _: cp.Submit(c.by, c.at)),
    _campaign(api.APPROVE_CAMPAIGN, lambda c, _: cp.Review(True, c.by, c.reason, c.at)),
    _campaign(api.REJECT_CAMPAIGN, lambda c, _: cp.Review(False, c.by, c.reason, c.at)),
    _campaign(api.START_CAMPAIGN, lambda c, _: cp.Start(c.at)),
    _campaign(api.COMPLETE_CAMPAIGN, lambda c, _: cp.Complete(c.at)),
    _campaign(api.CANCEL_CAMPAIGN, lambda c, _: cp.Cancel(c.body.reason, c.at)),
    _campaign(
        api.RECORD_CAMPAIGN_COST, lambda c, _: cp.RecordCost(c.body.amount, c.body.what, c.at)
    ),
    _campaign(
        api.RECORD_CAMPAIGN_PARTICIPANTS,
        lambda c, _: cp.RecordParticipants(c.body.participants, c.at),
    ),
    _campaign.read(api.GET_CAMPAIGN, lambda s: _answer(s, s.campaign_id, CAMPAIGN_ANSWER)),
)


# --- leads --------------------------------------------------------------------------------------
async def _capture(call: Call, _: ld.State) -> ld.Capture:
    """Flagged as a possible duplicate of every record holding one of its contact keys."""
    b: api.CaptureLead = call.body
    home = branch_for(call.actor, b.branch)
    holders = await spanning.holders(call.store, ld.duplicate_keys(b.company, b.email, b.phone))
    return ld.Capture(
        call.record_id,
        home,
        b.source,
        b.campaign_id,
        b.company,
        b.contact_name,
        b.email,
        b.phone,
        call.by,
        holders,
        call.at,
    )


_lead = Records(ld.lead, ld.stream_id, "lead", "lead_id")


LEADS: tuple[Spec, ...] = (
    _lead.opens(api.CAPTURE_LEAD, _capture, then=spanning.claim_lead_keys),
    _lead(api.ASSIGN_LEAD, lambda c, _: ld.Assign(c.body.rep, c.by, c.at)),
    Custom(api.AUTO_ASSIGN_LEAD, spanning.auto_assign),
    _lead(
        api.LOG_LEAD_FOLLOW_UP, lambda c, _: ld.LogFollowUp(c.body.channel, c.body.note, c.by, c.at)
    ),
    _lead(api.NURTURE_LEAD, lambda c, _: ld.Nurture(c.body.reason, c.by, c.at)),
    _lead(api.QUALIFY_LEAD, lambda c, _: ld.Qualify(c.by, c.at)),
    _lead(api.DISQUALIFY_LEAD, lambda c, _: ld.Disqualify(c.body.reason, c.by, c.at)),
    Custom(api.CONVERT_LEAD, spanning.convert),
    Custom(api.MERGE_LEAD, spanning.merge),
    _lead.read(api.GET_LEAD, lambda s: _answer(s, s.lead_id, LEAD_ANSWER)),
    Write(
        api.SET_LEAD_ROSTER,
        r.roster,
        r.roster_stream,
        lambda c, _: r.SetRoster(
            c.record_id, tuple(c.body.reps), c.body.follow_up_hours, c.by, c.at
        ),
        "branch",
        record=lambda c: seen_branch(c, "branch"),
        scoped=False,
    ),
)


# --- accounts -----------------------------------------------------------------------------------
def _open_account(call: Call, _: a.State) -> a.Open:
    b: api.OpenAccount = call.body
    return a.Open(
        call.record_id,
        branch_for(call.actor, b.branch),
        b.company,
        b.industry,
        b.size,
        call.by,
        b.credit_limit,
        b.payment_days,
        None,
        call.at,
    )


def _save_contact(call: Call, _: a.State) -> a.SaveContact:
    b: api.Contact = call.body
    contact = AccountContact(
        b.contact_id or call.new_id(), b.name, b.title, b.email, b.phone, b.buying_role
    )
    return a.SaveContact(contact, call.at)


def _grade(call: Call, _: a.State) -> a.Grade:
    """Admin sets the grade by hand until the customer-value analysis computes it."""
    source = "computed" if call.by == ANALYST else "admin"
    return a.Grade(call.body.grade, source, call.at)


_account = Records(a.account, a.stream_id, "account", "account_id")


def _account_body(state: a.Account) -> dict[str, Any]:
    return dict(plain(state)) | {"id": state.account_id, "grade": state.grade}


ACCOUNTS: tuple[Spec, ...] = (
    _account.opens(api.OPEN_ACCOUNT, _open_account, then=spanning.claim_company_key),
    _account(
        api.UPDATE_ACCOUNT,
        lambda c, _: a.UpdateDetails(
            c.body.company,
            c.body.industry,
            c.body.size,
            c.body.credit_limit,
            c.body.payment_days,
            c.at,
        ),
    ),
    _account(api.SAVE_ACCOUNT_CONTACT, _save_contact),
    _account(api.REMOVE_ACCOUNT_CONTACT, lambda c, _: a.RemoveContact(c.path["contact_id"], c.at)),
    _account(
        api.LOG_ACCOUNT_INTERACTION,
        lambda c, _: a.LogInteraction(
            c.req.correlation_id, c.body.kind, c.by, c.body.note, c.body.cost, c.at
        ),
    ),
    _account(
        api.DELEGATE_ACCOUNT,
        lambda c, _: a.Delegate(c.body.delegate, c.body.starts_on, c.body.ends_on, c.by, c.at),
    ),
    _account(
        api.REVOKE_ACCOUNT_DELEGATION,
        lambda c, _: a.RevokeDelegation(c.path["delegate"], c.by, c.at),
    ),
    _account(api.SET_ACCOUNT_GRADE, _grade),
    _account(
        api.OVERRIDE_ACCOUNT_GRADE, lambda c, _: a.Override(c.body.grade, c.body.reason, c.by, c.at)
    ),
    _account(api.CLEAR_ACCOUNT_GRADE_OVERRIDE, lambda c, _: a.ClearOverride(c.by, c.at)),
    _account(
        api.SET_ACCOUNT_GROWTH_POTENTIAL,
        lambda c, _: a.SetGrowthPotential(c.body.score, c.by, c.at),
    ),
    _account.read(api.GET_ACCOUNT, _account_body),
    Write(
        api.TRANSFER_OWNER,
        r.transfer,
        spanning.transfer_stream,
        lambda c, _: r.TransferOwner(
            c.record_id,
            branch_for(c.actor, c.body.branch),
            c.body.from_user,
            c.body.to_user,
            c.body.reason,
            c.at,
        ),
        "transfer",
        then=spanning.reassign_all,
    ),
)


# --- the organisation tree ----------------------------------------------------------------------
async def _organisation(call: Call) -> Shown:
    """Regions with their branches, and the tree's version."""
    loaded = await load(call.store, r.organisation, r.ORGANISATION_STREAM)
    regions: dict[str, list[str]] = {}
    for branch, region in sorted(loaded.state.items()):
        regions.setdefault(region, []).append(branch)
    body = {"regions": [{"region": k, "branches": v} for k, v in sorted(regions.items())]}
    return body, loaded.version


ORGANISATION: tuple[Spec, ...] = (
    Write(
        api.PLACE_BRANCH,
        r.organisation,
        lambda _: r.ORGANISATION_STREAM,
        lambda c, _: r.PlaceBranch(c.record_id, c.body.region, c.by, c.at),
        "branch",
        key="branch",
        scoped=False,
    ),
    Custom(api.GET_ORGANISATION, _organisation),
)

COMMANDS: tuple[Spec, ...] = CAMPAIGNS + LEADS + ACCOUNTS + ORGANISATION
