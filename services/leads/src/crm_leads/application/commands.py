"""Commands of the leads context: campaigns, leads, customer accounts, routing and transfers.

Branch scope: every record belongs to a branch; branch staff touch only their own (404 for the
rest), HQ roles any. Duplicate detection reads the contact-key streams before capturing and
claims the keys after; conversion opens (or attaches) the account and records LeadConverted,
which the opportunities context turns into the opportunity.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

from crm_events.leads import CONTEXT, AccountContact
from crm_platform.auth import Actor
from crm_platform.commands import Accepted, Request, branch_for, visible_to
from crm_platform.domain import Decider, DomainError, NotFound
from crm_platform.eventstore.postgres import PostgresEventStore
from crm_platform.handler import OtherBranch, handle, load, same_branch

from crm_leads.domain import account as a
from crm_leads.domain import campaign as c
from crm_leads.domain import lead as ld
from crm_leads.domain import routing as r


def _branch(state: Any) -> str | None:
    return getattr(state, "branch", None) if state is not None else None


async def _run(
    store: PostgresEventStore,
    req: Request,
    decider: Decider[Any, Any, Any],
    kind: str,
    stream: str,
    record_id: str,
    command: Any,
    name: str,
    *,
    new: bool = False,
) -> Accepted:
    result = await handle(
        store,
        decider,
        stream,
        command,
        metadata=req.metadata(),
        occurred_at=req.at,
        expected_version=None if new else req.expected_version,
        idempotency_key=req.key(f"{name}:{record_id}") if not new else req.key(name),
        authorize=None if new else visible_to(req.actor, kind, _branch),
    )
    return Accepted.of(CONTEXT, record_id, result)


def _id_of(result: Accepted, prefix: str) -> str:
    return result.consistency_token.split(":")[1].removeprefix(prefix)


# --- campaigns ----------------------------------------------------------------------------------
async def plan_campaign(
    store: PostgresEventStore,
    req: Request,
    *,
    branch: str | None,
    campaign_type: str,
    theme: str,
    segment: str,
    starts_on: date,
    ends_on: date,
    budget: Decimal,
) -> Accepted:
    cid = str(uuid4())
    command = c.Plan(
        cid,
        branch_for(req.actor, branch),
        campaign_type,
        theme,
        segment,
        starts_on,
        ends_on,
        budget,
        req.actor.user_id,
        req.at,
    )
    result = await _run(
        store,
        req,
        c.campaign,
        "campaign",
        c.stream_id(cid),
        cid,
        command,
        "plan-campaign",
        new=True,
    )
    return Accepted(
        _id_of(result, "campaign-"), result.version, result.position, result.consistency_token
    )


async def campaign_command(
    store: PostgresEventStore, req: Request, campaign_id: str, command: Any, name: str
) -> Accepted:
    return await _run(
        store, req, c.campaign, "campaign", c.stream_id(campaign_id), campaign_id, command, name
    )


def review(req: Request, approve: bool, reason: str) -> c.Review:
    return c.Review(approve, req.actor.user_id, req.actor.role, reason, req.at)


# --- leads --------------------------------------------------------------------------------------
async def capture_lead(
    store: PostgresEventStore,
    req: Request,
    *,
    branch: str | None,
    source: str,
    campaign_id: str | None,
    company: str,
    contact_name: str,
    email: str | None,
    phone: str | None,
) -> Accepted:
    home = branch_for(req.actor, branch)
    keys = ld.duplicate_keys(company, email, phone)
    holders: list[str] = []
    for key in keys:
        held = (await load(store, r.contact_key, r.key_stream(key))).state
        holders.extend(h for h in held if h not in holders)
    lead_id = str(uuid4())
    command = ld.Capture(
        lead_id,
        home,
        source,
        campaign_id,
        company,
        contact_name,
        email,
        phone,
        req.actor.user_id,
        tuple(holders),
        req.at,
    )
    result = await _run(
        store,
        req,
        ld.lead,
        "lead",
        ld.stream_id(lead_id),
        lead_id,
        command,
        "capture-lead",
        new=True,
    )
    lead_id = _id_of(result, "lead-")
    for key in keys:
        await handle(
            store,
            r.contact_key,
            r.key_stream(key),
            r.ClaimKey(key, f"lead-{lead_id}", home, req.at),
            metadata=req.metadata(),
            occurred_at=req.at,
        )
    return Accepted(lead_id, result.version, result.position, result.consistency_token)


async def lead_command(
    store: PostgresEventStore, req: Request, lead_id: str, command: Any, name: str
) -> Accepted:
    return await _run(store, req, ld.lead, "lead", ld.stream_id(lead_id), lead_id, command, name)


async def get_lead_branch(store: PostgresEventStore, actor: Actor, lead_id: str) -> str:
    state = (await load(store, ld.lead, ld.stream_id(lead_id))).state
    visible_to(actor, "lead", _branch)(state)
    return str(state.branch)


async def auto_assign(store: PostgresEventStore, req: Request, lead_id: str) -> Accepted:
    """The branch's round robin picks the rep (the same one if asked again for this lead)."""
    branch = await get_lead_branch(store, req.actor, lead_id)
    await handle(
        store,
        r.roster,
        r.roster_stream(branch),
        r.RouteLead(branch, lead_id, req.at),
        metadata=req.metadata(),
        occurred_at=req.at,
    )
    rep = (await load(store, r.roster, r.roster_stream(branch))).state.routed[lead_id]
    state = (await load(store, ld.lead, ld.stream_id(lead_id))).state
    if state is not None and state.assignee == rep:
        loaded = await load(store, ld.lead, ld.stream_id(lead_id))
        return Accepted(
            lead_id,
            loaded.version,
            loaded.position,
            f"{CONTEXT}:{ld.stream_id(lead_id)}:{loaded.version}",
        )
    return await lead_command(
        store,
        req,
        lead_id,
        ld.Assign(rep, req.actor.user_id, req.at, automatic=True),
        "auto-assign",
    )


async def set_roster(
    store: PostgresEventStore,
    req: Request,
    branch: str,
    reps: tuple[str, ...],
    follow_up_hours: int,
) -> Accepted:
    if not req.actor.sees(branch):
        raise NotFound("There is no such branch.")
    result = await handle(
        store,
        r.roster,
        r.roster_stream(branch),
        r.SetRoster(branch, reps, follow_up_hours, req.actor.user_id, req.at),
        metadata=req.metadata(),
        occurred_at=req.at,
        idempotency_key=req.key(f"roster:{branch}"),
    )
    return Accepted.of(CONTEXT, branch, result)


async def place_branch(
    store: PostgresEventStore, req: Request, branch: str, region: str
) -> Accepted:
    """Place a branch in a region of the organisation tree (admin: the route table says so)."""
    result = await handle(
        store,
        r.organisation,
        r.ORGANISATION_STREAM,
        r.PlaceBranch(branch, region, req.actor.user_id, req.at),
        metadata=req.metadata(),
        occurred_at=req.at,
        idempotency_key=req.key(f"place-branch:{branch}:{region}"),
    )
    return Accepted.of(CONTEXT, branch, result)


async def organisation_tree(store: PostgresEventStore) -> tuple[dict[str, list[str]], int]:
    """Regions with their branches, and the tree's version."""
    loaded = await load(store, r.organisation, r.ORGANISATION_STREAM)
    regions: dict[str, list[str]] = {}
    for branch, region in sorted(loaded.state.items()):
        regions.setdefault(region, []).append(branch)
    return regions, loaded.version


async def convert_lead(
    store: PostgresEventStore,
    req: Request,
    lead_id: str,
    *,
    account_id: str | None,
    opportunity_name: str,
    amount: Decimal,
    currency: str,
    expected_close: date,
    industry: str,
    size: str,
) -> Accepted:
    state = (await load(store, ld.lead, ld.stream_id(lead_id))).state
    visible_to(req.actor, "lead", _branch)(state)
    key = req.key(f"convert:{lead_id}")
    if key is not None and (earlier := await store.idempotent_result(key)) is not None:
        return Accepted.of(CONTEXT, lead_id, earlier)  # the same conversion asked again
    if state.status != "qualified" or not state.assignee:  # refuse before opening an account
        raise DomainError("Only a qualified lead with an assignee is converted.")
    created = account_id is None
    if account_id is None:
        opened = await open_account(
            store,
            req,
            branch=state.branch,
            company=state.company,
            industry=industry,
            size=size,
            credit_limit=Decimal(0),
            payment_days=30,
            from_lead_id=lead_id,
            owner_id=state.assignee,
        )
        account_id = opened.id
    else:
        existing = (await load(store, a.account, a.stream_id(account_id))).state
        if existing is None or existing.branch != state.branch:
            raise DomainError(
                "Attach the lead to an account of its own branch.", field="account_id"
            )
    command = ld.Convert(
        account_id,
        created,
        str(uuid4()),
        opportunity_name,
        amount,
        currency,
        expected_close,
        req.at,
    )
    return await lead_command(store, req, lead_id, command, "convert")


async def merge_leads(
    store: PostgresEventStore, req: Request, lead_id: str, duplicate_id: str
) -> Accepted:
    """The duplicate is closed as merged into `lead_id`, which records it."""
    if lead_id == duplicate_id:
        raise DomainError("A lead is not merged into itself.", field="duplicate_id")
    survivor = await get_lead_branch(store, req.actor, lead_id)
    try:
        duplicate_branch = await get_lead_branch(store, req.actor, duplicate_id)
    except NotFound:
        raise DomainError("There is no such lead to merge.", field="duplicate_id") from None
    if duplicate_branch != survivor:
        raise DomainError("Leads of different branches are not merged.", field="duplicate_id")
    await lead_command(
        store,
        req,
        duplicate_id,
        ld.MergeInto(lead_id, req.actor.user_id, req.at),
        f"merge-into:{lead_id}",
    )
    return await lead_command(
        store,
        req,
        lead_id,
        ld.Absorb(duplicate_id, req.actor.user_id, req.at),
        f"absorb:{duplicate_id}",
    )


async def check_follow_ups(store: PostgresEventStore, req: Request, now: datetime) -> int:
    """Flag every assigned lead whose first follow-up is overdue; returns how many were flagged."""
    done = await store.streams_of(
        (
            "LeadFollowUpLogged",
            "LeadFollowUpOverdue",
            "LeadConverted",
            "LeadDisqualified",
            "LeadMerged",
        )
    )
    flagged = 0
    limits: dict[str, int] = {}
    for stream in sorted(await store.streams_of(("LeadAssigned",)) - done):
        state = (await load(store, ld.lead, stream)).state
        if state is None:
            continue
        if state.branch not in limits:
            limits[state.branch] = (
                await load(store, r.roster, r.roster_stream(state.branch))
            ).state.follow_up_hours
        result = await handle(
            store,
            ld.lead,
            stream,
            ld.CheckFollowUp(now, limits[state.branch]),
            metadata=req.metadata(),
            occurred_at=now,
        )
        flagged += result.version > 0 and (await load(store, ld.lead, stream)).state.overdue
    return flagged


# --- accounts -----------------------------------------------------------------------------------
async def open_account(
    store: PostgresEventStore,
    req: Request,
    *,
    branch: str | None,
    company: str,
    industry: str,
    size: str,
    credit_limit: Decimal,
    payment_days: int,
    from_lead_id: str | None = None,
    owner_id: str | None = None,
) -> Accepted:
    home = branch_for(req.actor, branch) if from_lead_id is None else str(branch)
    account_id = str(uuid4())
    command = a.Open(
        account_id,
        home,
        company,
        industry,
        size,
        owner_id or req.actor.user_id,
        credit_limit,
        payment_days,
        from_lead_id,
        req.at,
    )
    result = await _run(
        store,
        req,
        a.account,
        "account",
        a.stream_id(account_id),
        account_id,
        command,
        f"open-account:{from_lead_id or ''}",
        new=True,
    )
    account_id = _id_of(result, "account-")
    key = ld.company_key(company)
    if key is not None:
        await handle(
            store,
            r.contact_key,
            r.key_stream(key),
            r.ClaimKey(key, f"account-{account_id}", home, req.at),
            metadata=req.metadata(),
            occurred_at=req.at,
        )
    return Accepted(account_id, result.version, result.position, result.consistency_token)


async def account_command(
    store: PostgresEventStore, req: Request, account_id: str, command: Any, name: str
) -> Accepted:
    return await _run(
        store, req, a.account, "account", a.stream_id(account_id), account_id, command, name
    )


def contact(
    contact_id: str | None,
    name: str,
    title: str,
    email: str | None,
    phone: str | None,
    buying_role: str,
) -> AccountContact:
    return AccountContact(contact_id or str(uuid4()), name, title, email, phone, buying_role)


async def transfer_owner(
    store: PostgresEventStore,
    req: Request,
    *,
    branch: str | None,
    from_user: str,
    to_user: str,
    reason: str,
) -> Accepted:
    """Everything `from_user` holds goes to `to_user`: accounts and open leads here, open
    opportunities in the opportunities context (it reacts to OwnerTransferred)."""
    home = branch_for(req.actor, branch)
    transfer_id = str(uuid4())
    result = await _run(
        store,
        req,
        r.transfer,
        "transfer",
        f"transfer-{transfer_id}",
        transfer_id,
        r.TransferOwner(transfer_id, home, from_user, to_user, reason, req.at),
        "transfer",
        new=True,
    )
    transfer_id = _id_of(result, "transfer-")
    await reassign_all(store, req, transfer_id, home, from_user, to_user)
    return Accepted(transfer_id, result.version, result.position, result.consistency_token)


async def reassign_all(
    store: PostgresEventStore,
    req: Request,
    transfer_id: str,
    branch: str,
    from_user: str,
    to_user: str,
) -> None:
    """Move `from_user`'s accounts and leads of `branch` (the transfer's); other branches' records
    stay with their owner even when the same user id holds them."""
    accounts = set(await store.streams_with(("AccountOpened",), "owner_id", from_user))
    accounts |= set(await store.streams_with(("AccountOwnerChanged",), "to_owner", from_user))
    for stream in sorted(accounts):
        with contextlib.suppress(OtherBranch):
            await handle(
                store,
                a.account,
                stream,
                a.Reassign(transfer_id, from_user, to_user, req.at),
                metadata=req.metadata(),
                occurred_at=req.at,
                authorize=same_branch(branch),
            )
    leads = set(await store.streams_with(("LeadAssigned",), "to_rep", from_user))
    leads |= set(await store.streams_with(("LeadOwnerChanged",), "to_rep", from_user))
    for stream in sorted(leads):
        with contextlib.suppress(OtherBranch):
            await handle(
                store,
                ld.lead,
                stream,
                ld.Reassign(transfer_id, from_user, to_user, req.at),
                metadata=req.metadata(),
                occurred_at=req.at,
                authorize=same_branch(branch),
            )


# --- reading ------------------------------------------------------------------------------------
Reader = Callable[[PostgresEventStore, Actor, str], Any]


async def get(
    store: PostgresEventStore, actor: Actor, decider: Decider[Any, Any, Any], stream: str, kind: str
) -> tuple[Any, int]:
    loaded = await load(store, decider, stream)
    visible_to(actor, kind, _branch)(loaded.state)
    return loaded.state, loaded.version
