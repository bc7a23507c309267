"""Commands of the opportunities context: who may touch which record, then the generic handler."""

from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import uuid4

from crm_events import Envelope, decode
from crm_events.leads import LeadConverted, OwnerTransferred
from crm_events.opportunities import CONTEXT, OpportunityLine, PipelineStage, QuoteLine, TeamShare
from crm_platform.auth import Actor
from crm_platform.commands import Accepted, Request, branch_for, visible_to
from crm_platform.domain import DomainError, NotFound
from crm_platform.eventstore import EventStore
from crm_platform.handler import OtherBranch, handle, load, same_branch

from crm_opportunities.domain import opportunity as o
from crm_opportunities.domain import quota as q
from crm_opportunities.domain import settings as s


def _branch_of(state: o.State) -> str | None:
    return state.branch if isinstance(state, o.Opportunity) else None


async def settings_for(store: EventStore, branch: str) -> s.SalesSettings:
    """The branch's sales settings: its own, else the company's, else the defaults."""
    company = (await load(store, s.sales_settings, s.stream_id("company"))).state
    own = (await load(store, s.sales_settings, s.stream_id(branch))).state
    resolved: s.SalesSettings = own.over(company).over(s.DEFAULTS)
    return resolved


async def _pipeline(store: EventStore, branch: str) -> tuple[PipelineStage, ...]:
    pipeline = (await settings_for(store, branch)).pipeline
    assert pipeline is not None
    return pipeline


async def _branch(store: EventStore, opportunity_id: str, actor: Actor) -> str:
    """The opportunity's branch, if the actor may see it (else: not found)."""
    loaded = await load(store, o.opportunity, o.stream_id(opportunity_id))
    visible_to(actor, "opportunity", _branch_of)(loaded.state)
    return loaded.state.branch  # type: ignore[no-any-return]


async def _run(
    store: EventStore, req: Request, opportunity_id: str, command: Any, name: str
) -> Accepted:
    result = await handle(
        store,
        o.opportunity,
        o.stream_id(opportunity_id),
        command,
        metadata=req.metadata(),
        occurred_at=req.at,
        expected_version=req.expected_version,
        idempotency_key=req.key(f"{name}:{opportunity_id}"),
        authorize=visible_to(req.actor, "opportunity", _branch_of),
    )
    return Accepted.of(CONTEXT, opportunity_id, result)


async def open_opportunity(
    store: EventStore,
    req: Request,
    *,
    account_id: str,
    name: str,
    amount: Decimal,
    currency: str,
    expected_close: date,
    branch: str | None,
    lead_id: str | None = None,
    campaign_id: str | None = None,
    lines: tuple[OpportunityLine, ...] = (),
) -> Accepted:
    opportunity_id = str(uuid4())
    home = branch_for(req.actor, branch)
    command = o.OpenOpportunity(
        opportunity_id=opportunity_id,
        account_id=account_id,
        name=name,
        amount=amount,
        currency=currency,
        expected_close=expected_close,
        branch=home,
        owner_id=req.actor.user_id,
        at=req.at,
        lead_id=lead_id,
        campaign_id=campaign_id,
        lines=lines,
        pipeline=await _pipeline(store, home),
    )
    result = await handle(
        store,
        o.opportunity,
        o.stream_id(opportunity_id),
        command,
        metadata=req.metadata(),
        occurred_at=req.at,
        idempotency_key=req.key("open-opportunity"),
    )
    if result.replayed:  # the first call with this key opened its own opportunity
        opportunity_id = result.stream_id.removeprefix("opportunity-")
    return Accepted.of(CONTEXT, opportunity_id, result)


async def change_stage(
    store: EventStore, req: Request, opportunity_id: str, stage: str
) -> Accepted:
    branch = await _branch(store, opportunity_id, req.actor)
    command = o.ChangeStage(stage, req.at, await _pipeline(store, branch))
    return await _run(store, req, opportunity_id, command, "change-stage")


async def update_details(
    store: EventStore,
    req: Request,
    opportunity_id: str,
    *,
    name: str,
    amount: Decimal,
    expected_close: date,
    lines: tuple[OpportunityLine, ...],
) -> Accepted:
    command = o.UpdateDetails(name, amount, expected_close, lines, req.at)
    return await _run(store, req, opportunity_id, command, "update")


async def log_activity(
    store: EventStore, req: Request, opportunity_id: str, *, kind: str, cost: Decimal, note: str
) -> Accepted:
    command = o.LogActivity(str(uuid4()), kind, req.actor.user_id, cost, note, req.at)
    return await _run(store, req, opportunity_id, command, "activity")


async def set_team(
    store: EventStore, req: Request, opportunity_id: str, team: tuple[TeamShare, ...]
) -> Accepted:
    return await _run(store, req, opportunity_id, o.SetTeam(team, req.at), "team")


async def transfer_ownership(
    store: EventStore, req: Request, opportunity_id: str, *, to_owner: str, reason: str
) -> Accepted:
    command = o.TransferOwnership(to_owner, reason, req.at)
    return await _run(store, req, opportunity_id, command, "transfer")


async def track_competitor(
    store: EventStore,
    req: Request,
    opportunity_id: str,
    *,
    competitor: str,
    their_quote: Decimal | None,
    strategy: str,
) -> Accepted:
    command = o.TrackCompetitor(competitor, their_quote, strategy, req.at)
    return await _run(store, req, opportunity_id, command, "competitor")


async def remove_competitor(
    store: EventStore, req: Request, opportunity_id: str, competitor: str
) -> Accepted:
    command = o.RemoveCompetitor(competitor, req.at)
    return await _run(store, req, opportunity_id, command, "remove-competitor")


async def add_quote(
    store: EventStore, req: Request, opportunity_id: str, lines: tuple[QuoteLine, ...]
) -> Accepted:
    branch = await _branch(store, opportunity_id, req.actor)
    threshold = (await settings_for(store, branch)).discount_threshold_percent
    assert threshold is not None
    command = o.AddQuote(str(uuid4()), lines, req.at, threshold)
    return await _run(store, req, opportunity_id, command, "quote")


async def decide_quote(
    store: EventStore,
    req: Request,
    opportunity_id: str,
    quote_id: str,
    *,
    approve: bool,
    reason: str,
) -> Accepted:
    command = o.DecideQuote(quote_id, approve, req.actor.user_id, req.actor.role, reason, req.at)
    return await _run(store, req, opportunity_id, command, f"decide-quote:{quote_id}")


async def send_quote(
    store: EventStore, req: Request, opportunity_id: str, quote_id: str
) -> Accepted:
    return await _run(store, req, opportunity_id, o.SendQuote(quote_id, req.at), f"send:{quote_id}")


async def suspend(store: EventStore, req: Request, opportunity_id: str, reason: str) -> Accepted:
    return await _run(store, req, opportunity_id, o.Suspend(reason, req.at), "suspend")


async def reactivate(store: EventStore, req: Request, opportunity_id: str) -> Accepted:
    command = o.Reactivate(req.at, req.actor.user_id, req.actor.role)
    return await _run(store, req, opportunity_id, command, "reactivate")


async def win(store: EventStore, req: Request, opportunity_id: str) -> Accepted:
    branch = await _branch(store, opportunity_id, req.actor)
    command = o.Win(req.at, await _pipeline(store, branch))
    return await _run(store, req, opportunity_id, command, "win")


async def lose(
    store: EventStore,
    req: Request,
    opportunity_id: str,
    *,
    reason: str,
    competitor: str | None,
    competitor_price: Decimal | None,
) -> Accepted:
    command = o.Lose(reason, competitor, competitor_price, req.at)
    return await _run(store, req, opportunity_id, command, "lose")


async def record_close_summary(
    store: EventStore,
    req: Request,
    opportunity_id: str,
    *,
    reason: str,
    competitor: str | None,
    competitor_price: Decimal | None,
    lessons: str,
) -> Accepted:
    command = o.RecordCloseSummary(reason, competitor, competitor_price, lessons, req.at)
    return await _run(store, req, opportunity_id, command, "summary")


async def archive(store: EventStore, req: Request, opportunity_id: str) -> Accepted:
    return await _run(store, req, opportunity_id, o.Archive(req.at), "archive")


async def get_opportunity(
    store: EventStore, actor: Actor, opportunity_id: str
) -> tuple[o.Opportunity, int]:
    loaded = await load(store, o.opportunity, o.stream_id(opportunity_id))
    visible_to(actor, "opportunity", _branch_of)(loaded.state)
    return loaded.state, loaded.version


# --- settings and quotas (HQ) ------------------------------------------------------------------
async def change_sales_settings(
    store: EventStore,
    req: Request,
    scope: str,
    *,
    pipeline: tuple[PipelineStage, ...] | None,
    discount_threshold_percent: Decimal | None,
) -> Accepted:
    if not req.actor.is_hq and not (
        req.actor.role == "branch_manager" and scope == req.actor.branch
    ):
        raise DomainError("Only HQ, or the branch manager for the branch, changes sales settings.")
    command = s.ChangeSalesSettings(scope, pipeline, discount_threshold_percent, req.at)
    result = await handle(
        store,
        s.sales_settings,
        s.stream_id(scope),
        command,
        metadata=req.metadata(),
        occurred_at=req.at,
        expected_version=req.expected_version,
        idempotency_key=req.key(f"sales-settings:{scope}"),
    )
    return Accepted.of(CONTEXT, scope, result)


async def set_quota(
    store: EventStore,
    req: Request,
    *,
    year: int,
    dimension: str,
    key: str,
    branch: str | None,
    annual: Decimal,
    last_year_months: tuple[Decimal, ...] | None,
) -> Accepted:
    stream = q.stream_id(year, dimension, key)
    quota_id = stream.removeprefix("quota-")
    command = q.SetQuota(
        quota_id, year, dimension, key, branch, annual, last_year_months, req.actor.role, req.at
    )
    result = await handle(
        store,
        q.quota,
        stream,
        command,
        metadata=req.metadata(),
        occurred_at=req.at,
        idempotency_key=req.key(f"set-quota:{quota_id}"),
    )
    return Accepted.of(CONTEXT, quota_id, result)


async def adjust_quota(
    store: EventStore,
    req: Request,
    quota_id: str,
    *,
    from_month: int,
    percent: Decimal | None,
    amount: Decimal | None,
    reason: str,
) -> Accepted:
    command = q.AdjustQuota(from_month, percent, amount, reason, req.actor.role, req.at)
    result = await handle(
        store,
        q.quota,
        f"quota-{quota_id}",
        command,
        metadata=req.metadata(),
        occurred_at=req.at,
        expected_version=req.expected_version,
        idempotency_key=req.key(f"adjust-quota:{quota_id}"),
    )
    return Accepted.of(CONTEXT, quota_id, result)


async def get_quota(store: EventStore, actor: Actor, quota_id: str) -> tuple[q.Quota, int]:
    loaded = await load(store, q.quota, f"quota-{quota_id}")
    state = loaded.state
    if state is None or (state.branch is not None and not actor.sees(state.branch)):
        raise NotFound("There is no such quota.")
    return state, loaded.version


# --- reactions to other contexts' events --------------------------------------------------------
async def on_lead_converted(store: EventStore, req: Request, envelope: Envelope) -> None:
    event = decode(envelope)
    assert isinstance(event, LeadConverted)
    command = o.on_lead_converted(event, await _pipeline(store, event.branch))
    await handle(
        store,
        o.opportunity,
        o.stream_id(event.opportunity_id),
        command,
        metadata=req.metadata(),
        occurred_at=event.converted_at,
        idempotency_key=req.idempotency_key,
    )


async def on_owner_transferred(
    store: EventStore, req: Request, envelope: Envelope, candidates: list[str]
) -> None:
    """Reassign every open opportunity `from_user` owns, among the candidate streams (those they
    ever owned); the aggregate skips what is closed, owned by someone else, or already moved."""
    event = decode(envelope)
    assert isinstance(event, OwnerTransferred)
    command = o.on_owner_transferred(event)
    for stream in candidates:
        with contextlib.suppress(OtherBranch):  # a transfer moves its own branch's deals only
            await handle(
                store,
                o.opportunity,
                stream,
                command,
                metadata=req.metadata(),
                occurred_at=event.transferred_at,
                authorize=same_branch(event.branch),
            )
