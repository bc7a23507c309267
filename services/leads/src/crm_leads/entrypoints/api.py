"""The internal HTTP API of the leads service (called by the gateway only), and its scheduled
check of first follow-ups. Paths, request models and roles come from crm_api.leads."""

from __future__ import annotations

import os
from datetime import datetime

from crm_api import leads as api
from crm_api.reports import ANALYST
from crm_events.leads import CONTEXT
from crm_platform.auth import Actor
from crm_platform.commands import Request
from crm_platform.http import Problem, plain
from crm_platform.service import (
    Cmd,
    CurrentActor,
    Service,
    Store,
    Svc,
    accepted,
    handles,
    record,
    service_app,
)
from crm_platform.settings import Settings
from crm_platform.workers import Clock, every, utc_now
from fastapi import APIRouter, FastAPI
from fastapi.responses import Response

from crm_leads.application import commands as c
from crm_leads.domain import account as a
from crm_leads.domain import campaign as cp
from crm_leads.domain import lead as ld

router = APIRouter()
R = {route.name: route for route in api.ROUTES}


# --- campaigns ----------------------------------------------------------------------------------
@handles(router, R["plan_campaign"])
async def plan_campaign(body: api.PlanCampaign, req: Cmd, store: Store) -> Response:
    result = await c.plan_campaign(
        store,
        req,
        branch=body.branch,
        campaign_type=body.campaign_type,
        theme=body.theme,
        segment=body.segment,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        budget=body.budget,
    )
    return accepted(result, 201)


@handles(router, R["revise_campaign"])
async def revise_campaign(
    campaign_id: str, body: api.ReviseCampaign, req: Cmd, store: Store
) -> Response:
    command = cp.Revise(body.theme, body.segment, body.starts_on, body.ends_on, body.budget, req.at)
    return accepted(await c.campaign_command(store, req, campaign_id, command, "revise"))


@handles(router, R["submit_campaign"])
async def submit_campaign(campaign_id: str, req: Cmd, store: Store) -> Response:
    return accepted(
        await c.campaign_command(
            store, req, campaign_id, cp.Submit(req.actor.user_id, req.at), "submit"
        )
    )


@handles(router, R["approve_campaign"])
async def approve_campaign(campaign_id: str, req: Cmd, store: Store) -> Response:
    return accepted(
        await c.campaign_command(store, req, campaign_id, c.review(req, True, ""), "approve")
    )


@handles(router, R["reject_campaign"])
async def reject_campaign(
    campaign_id: str, body: api.CampaignOrLeadReason, req: Cmd, store: Store
) -> Response:
    return accepted(
        await c.campaign_command(
            store, req, campaign_id, c.review(req, False, body.reason), "reject"
        )
    )


@handles(router, R["start_campaign"])
async def start_campaign(campaign_id: str, req: Cmd, store: Store) -> Response:
    return accepted(await c.campaign_command(store, req, campaign_id, cp.Start(req.at), "start"))


@handles(router, R["complete_campaign"])
async def complete_campaign(campaign_id: str, req: Cmd, store: Store) -> Response:
    return accepted(
        await c.campaign_command(store, req, campaign_id, cp.Complete(req.at), "complete")
    )


@handles(router, R["cancel_campaign"])
async def cancel_campaign(
    campaign_id: str, body: api.CampaignOrLeadReason, req: Cmd, store: Store
) -> Response:
    return accepted(
        await c.campaign_command(store, req, campaign_id, cp.Cancel(body.reason, req.at), "cancel")
    )


@handles(router, R["record_campaign_cost"])
async def record_cost(campaign_id: str, body: api.Cost, req: Cmd, store: Store) -> Response:
    return accepted(
        await c.campaign_command(
            store, req, campaign_id, cp.RecordCost(body.amount, body.what, req.at), "cost"
        )
    )


@handles(router, R["record_campaign_participants"])
async def record_participants(
    campaign_id: str, body: api.Participants, req: Cmd, store: Store
) -> Response:
    command = cp.RecordParticipants(body.participants, req.at)
    return accepted(await c.campaign_command(store, req, campaign_id, command, "participants"))


@handles(router, R["get_campaign"])
async def get_campaign(campaign_id: str, actor: CurrentActor, store: Store) -> Response:
    state, version = await c.get(store, actor, cp.campaign, cp.stream_id(campaign_id), "campaign")
    return record(plain(state) | {"id": campaign_id}, version)


# --- leads --------------------------------------------------------------------------------------
@handles(router, R["capture_lead"])
async def capture_lead(body: api.CaptureLead, req: Cmd, store: Store) -> Response:
    result = await c.capture_lead(
        store,
        req,
        branch=body.branch,
        source=body.source,
        campaign_id=body.campaign_id,
        company=body.company,
        contact_name=body.contact_name,
        email=body.email,
        phone=body.phone,
    )
    return accepted(result, 201)


@handles(router, R["assign_lead"])
async def assign_lead(lead_id: str, body: api.AssignLead, req: Cmd, store: Store) -> Response:
    return accepted(
        await c.lead_command(
            store, req, lead_id, ld.Assign(body.rep, req.actor.user_id, req.at), "assign"
        )
    )


@handles(router, R["auto_assign_lead"])
async def auto_assign(lead_id: str, req: Cmd, store: Store) -> Response:
    return accepted(await c.auto_assign(store, req, lead_id))


@handles(router, R["log_lead_follow_up"])
async def follow_up(lead_id: str, body: api.FollowUp, req: Cmd, store: Store) -> Response:
    command = ld.LogFollowUp(body.channel, body.note, req.actor.user_id, req.at)
    return accepted(await c.lead_command(store, req, lead_id, command, "follow-up"))


@handles(router, R["nurture_lead"])
async def nurture(lead_id: str, body: api.CampaignOrLeadReason, req: Cmd, store: Store) -> Response:
    return accepted(
        await c.lead_command(
            store, req, lead_id, ld.Nurture(body.reason, req.actor.user_id, req.at), "nurture"
        )
    )


@handles(router, R["qualify_lead"])
async def qualify(lead_id: str, req: Cmd, store: Store) -> Response:
    return accepted(
        await c.lead_command(store, req, lead_id, ld.Qualify(req.actor.user_id, req.at), "qualify")
    )


@handles(router, R["disqualify_lead"])
async def disqualify(
    lead_id: str, body: api.CampaignOrLeadReason, req: Cmd, store: Store
) -> Response:
    command = ld.Disqualify(body.reason, req.actor.user_id, req.at)
    return accepted(await c.lead_command(store, req, lead_id, command, "disqualify"))


@handles(router, R["convert_lead"])
async def convert(lead_id: str, body: api.ConvertLead, req: Cmd, svc: Svc) -> Response:
    if body.currency != svc.settings.currency:
        raise Problem(
            422,
            "The request is not valid",
            f"Amounts are kept in {svc.settings.currency}.",
            field="currency",
        )
    result = await c.convert_lead(
        svc.store,
        req,
        lead_id,
        account_id=body.account_id,
        opportunity_name=body.opportunity_name,
        amount=body.amount,
        currency=body.currency,
        expected_close=body.expected_close,
        industry=body.industry,
        size=body.size,
    )
    return accepted(result)


@handles(router, R["merge_lead"])
async def merge(lead_id: str, body: api.MergeLead, req: Cmd, store: Store) -> Response:
    return accepted(await c.merge_leads(store, req, lead_id, body.duplicate_id))


@handles(router, R["get_lead"])
async def get_lead(lead_id: str, actor: CurrentActor, store: Store) -> Response:
    state, version = await c.get(store, actor, ld.lead, ld.stream_id(lead_id), "lead")
    return record(plain(state) | {"id": lead_id}, version)


@handles(router, R["set_lead_roster"])
async def set_roster(branch: str, body: api.Roster, req: Cmd, store: Store) -> Response:
    return accepted(await c.set_roster(store, req, branch, tuple(body.reps), body.follow_up_hours))


# --- accounts -----------------------------------------------------------------------------------
@handles(router, R["open_account"])
async def open_account(body: api.OpenAccount, req: Cmd, store: Store) -> Response:
    result = await c.open_account(
        store,
        req,
        branch=body.branch,
        company=body.company,
        industry=body.industry,
        size=body.size,
        credit_limit=body.credit_limit,
        payment_days=body.payment_days,
    )
    return accepted(result, 201)


@handles(router, R["update_account"])
async def update_account(
    account_id: str, body: api.UpdateAccount, req: Cmd, store: Store
) -> Response:
    command = a.UpdateDetails(
        body.company, body.industry, body.size, body.credit_limit, body.payment_days, req.at
    )
    return accepted(await c.account_command(store, req, account_id, command, "update"))


@handles(router, R["save_account_contact"])
async def save_contact(account_id: str, body: api.Contact, req: Cmd, store: Store) -> Response:
    contact = c.contact(
        body.contact_id, body.name, body.title, body.email, body.phone, body.buying_role
    )
    return accepted(
        await c.account_command(store, req, account_id, a.SaveContact(contact, req.at), "contact")
    )


@handles(router, R["remove_account_contact"])
async def remove_contact(account_id: str, contact_id: str, req: Cmd, store: Store) -> Response:
    command = a.RemoveContact(contact_id, req.at)
    return accepted(
        await c.account_command(store, req, account_id, command, f"remove-contact:{contact_id}")
    )


@handles(router, R["revoke_account_delegation"])
async def revoke(account_id: str, delegate: str, req: Cmd, store: Store) -> Response:
    command = a.RevokeDelegation(delegate, req.actor.user_id, req.at)
    return accepted(await c.account_command(store, req, account_id, command, f"revoke:{delegate}"))


@handles(router, R["log_account_interaction"])
async def interaction(account_id: str, body: api.Interaction, req: Cmd, store: Store) -> Response:
    command = a.LogInteraction(
        str(req.correlation_id), body.kind, req.actor.user_id, body.note, body.cost, req.at
    )
    return accepted(await c.account_command(store, req, account_id, command, "interaction"))


@handles(router, R["delegate_account"])
async def delegate(account_id: str, body: api.Delegation, req: Cmd, store: Store) -> Response:
    command = a.Delegate(body.delegate, body.starts_on, body.ends_on, req.actor.user_id, req.at)
    return accepted(await c.account_command(store, req, account_id, command, "delegate"))


@handles(router, R["set_account_grade"])
async def set_grade(account_id: str, body: api.GradeBody, req: Cmd, store: Store) -> Response:
    source = "computed" if req.actor.user_id == ANALYST else "admin"
    return accepted(
        await c.account_command(
            store, req, account_id, a.Grade(body.grade, source, req.at), "grade"
        )
    )


@handles(router, R["set_account_growth_potential"])
async def growth_potential(
    account_id: str, body: api.GrowthPotential, req: Cmd, store: Store
) -> Response:
    command = a.SetGrowthPotential(body.score, req.actor.user_id, req.at)
    return accepted(await c.account_command(store, req, account_id, command, "growth-potential"))


@handles(router, R["override_account_grade"])
async def override_grade(
    account_id: str, body: api.OverrideBody, req: Cmd, store: Store
) -> Response:
    command = a.Override(body.grade, body.reason, req.actor.user_id, req.actor.role, req.at)
    return accepted(await c.account_command(store, req, account_id, command, "override"))


@handles(router, R["clear_account_grade_override"])
async def clear_override(account_id: str, req: Cmd, store: Store) -> Response:
    command = a.ClearOverride(req.actor.user_id, req.actor.role, req.at)
    return accepted(await c.account_command(store, req, account_id, command, "clear-override"))


@handles(router, R["get_account"])
async def get_account(account_id: str, actor: CurrentActor, store: Store) -> Response:
    state, version = await c.get(store, actor, a.account, a.stream_id(account_id), "account")
    return record(plain(state) | {"id": account_id, "grade": state.grade}, version)


@handles(router, R["transfer_owner"])
async def transfer(body: api.OwnerTransfer, req: Cmd, store: Store) -> Response:
    result = await c.transfer_owner(
        store,
        req,
        branch=body.branch,
        from_user=body.from_user,
        to_user=body.to_user,
        reason=body.reason,
    )
    return accepted(result, 201)


@handles(router, R["place_branch"])
async def place_branch(branch: str, body: api.Region, req: Cmd, store: Store) -> Response:
    return accepted(await c.place_branch(store, req, branch, body.region))


@handles(router, R["get_organisation"])
async def organisation(actor: CurrentActor, store: Store) -> Response:
    regions, version = await c.organisation_tree(store)
    body = {"regions": [{"region": k, "branches": v} for k, v in sorted(regions.items())]}
    return record(body, version)


# --- the scheduled check ------------------------------------------------------------------------
async def follow_ups(service: Service, now: datetime) -> None:
    req = Request(
        Actor(f"system:{CONTEXT}", "admin", "HQ"), f"follow-up-check-{now.isoformat()}", now
    )
    await c.check_follow_ups(service.store, req, now)


def create_app(
    settings: Settings | None = None,
    *,
    relay: bool = True,
    workers: bool = True,
    clock: Clock = utc_now,
) -> FastAPI:
    seconds = float(os.environ.get("CRM_LEADS_CHECK_SECONDS", "60"))
    return service_app(
        CONTEXT,
        settings or Settings(),
        [router],
        relay=relay,
        workers=[every(seconds, follow_ups, clock)] if workers else [],
    )
