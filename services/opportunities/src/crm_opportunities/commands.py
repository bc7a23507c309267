"""The opportunities context's command table (crm_platform.commands). The sales settings a command
needs (pipeline, discount threshold) are looked up for the record's own branch."""

from __future__ import annotations

from typing import Any

from crm_api import opportunities as api
from crm_events.opportunities import OpportunityLine, PipelineStage, QuoteLine, TeamShare
from crm_platform.commands import (
    Build,
    Call,
    Custom,
    Records,
    Shown,
    Spec,
    Write,
    branch_for,
    seen_branch,
    settings_in_force,
)
from crm_platform.domain import DomainError
from crm_platform.eventstore import EventStore
from crm_platform.http import plain

from crm_opportunities.domain import opportunity as o
from crm_opportunities.domain import quota as q
from crm_opportunities.domain import settings as s


# --- lookups ------------------------------------------------------------------------------------
async def settings_for(store: EventStore, branch: str) -> s.SalesSettings:
    """The branch's sales settings: its own, else the company's, else the defaults."""
    own = await settings_in_force(store, s.sales_settings, s.stream_id, branch)
    resolved: s.SalesSettings = own.over(s.DEFAULTS)
    return resolved


async def pipeline(store: EventStore, branch: str) -> tuple[PipelineStage, ...]:
    stages = (await settings_for(store, branch)).pipeline
    assert stages is not None
    return stages


def _lines(lines: list[api.OpportunityLine]) -> tuple[OpportunityLine, ...]:
    return tuple(
        OpportunityLine(x.product, x.product_line, x.quantity, x.unit_price) for x in lines
    )


# --- opportunities ------------------------------------------------------------------------------
async def _open(call: Call, _: o.State) -> o.OpenOpportunity:
    body: api.OpenOpportunity = call.body
    call.require_currency(body.currency)
    home = branch_for(call.actor, body.branch)
    return o.OpenOpportunity(
        opportunity_id=call.record_id,
        account_id=body.account_id,
        name=body.name,
        amount=body.amount,
        currency=body.currency,
        expected_close=body.expected_close,
        branch=home,
        owner_id=call.by,
        at=call.at,
        lead_id=body.lead_id,
        campaign_id=body.campaign_id,
        lines=_lines(body.lines),
        pipeline=await pipeline(call.store, home),
    )


async def _change_stage(call: Call, state: o.Opportunity) -> o.ChangeStage:
    return o.ChangeStage(call.body.stage, call.at, await pipeline(call.store, state.branch))


async def _add_quote(call: Call, state: o.Opportunity) -> o.AddQuote:
    lines = tuple(
        QuoteLine(x.product, x.product_line, x.quantity, x.unit_price, x.discount_percent)
        for x in call.body.lines
    )
    threshold = (await settings_for(call.store, state.branch)).discount_threshold_percent
    assert threshold is not None
    return o.AddQuote(call.new_id(), lines, call.at, threshold)


def _decide_quote(approve: bool) -> Build:
    return lambda c, _: o.DecideQuote(c.path["quote_id"], approve, c.by, c.reason, c.at)


async def _win(call: Call, state: o.Opportunity) -> o.Win:
    return o.Win(call.at, await pipeline(call.store, state.branch))


def present(state: o.Opportunity) -> dict[str, Any]:
    """The record as the API answers it: every status shows the same fields."""
    body: dict[str, Any] = {
        "status": state.status,
        "suspended_at": None,
        "summary": None,
        "archived": False,
    }
    body |= plain(state)
    body["id"] = body.pop("opportunity_id")
    body["stage_history"] = body.pop("history")
    body["current_quote_id"] = state.current_quote.quote_id if state.current_quote else None
    body["transfers"] = sorted(state.transfers)
    return dict(body)


_opportunity = Records(o.opportunity, o.stream_id, "opportunity", "opportunity_id")


OPPORTUNITIES: tuple[Spec, ...] = (
    _opportunity.opens(api.OPEN, _open),
    _opportunity(api.CHANGE_STAGE, _change_stage),
    _opportunity(
        api.UPDATE,
        lambda c, _: o.UpdateDetails(
            c.body.name, c.body.amount, c.body.expected_close, _lines(c.body.lines), c.at
        ),
    ),
    _opportunity(
        api.ACTIVITY,
        lambda c, _: o.LogActivity(c.new_id(), c.body.kind, c.by, c.body.cost, c.body.note, c.at),
    ),
    _opportunity(
        api.TEAM,
        lambda c, _: o.SetTeam(tuple(TeamShare(m.user_id, m.share) for m in c.body.team), c.at),
    ),
    _opportunity(
        api.TRANSFER, lambda c, _: o.TransferOwnership(c.body.to_owner, c.body.reason, c.at)
    ),
    _opportunity(
        api.COMPETITOR,
        lambda c, _: o.TrackCompetitor(
            c.body.competitor, c.body.their_quote, c.body.strategy, c.at
        ),
    ),
    _opportunity(api.UNTRACK, lambda c, _: o.RemoveCompetitor(c.path["competitor"], c.at)),
    _opportunity(api.QUOTE_ADD, _add_quote),
    _opportunity(api.QUOTE_APPROVE, _decide_quote(approve=True)),
    _opportunity(api.QUOTE_REJECT, _decide_quote(approve=False)),
    _opportunity(api.QUOTE_SEND, lambda c, _: o.SendQuote(c.path["quote_id"], c.at)),
    _opportunity(api.SUSPEND, lambda c, _: o.Suspend(c.body.reason, c.at)),
    _opportunity(api.REACTIVATE, lambda c, _: o.Reactivate(c.at, c.by, c.actor.role)),
    _opportunity(api.WIN, _win),
    _opportunity(
        api.LOSE,
        lambda c, _: o.Lose(c.body.reason, c.body.competitor, c.body.competitor_price, c.at),
    ),
    _opportunity(
        api.SUMMARY,
        lambda c, _: o.RecordCloseSummary(
            c.body.reason, c.body.competitor, c.body.competitor_price, c.body.lessons, c.at
        ),
    ),
    _opportunity(api.ARCHIVE, lambda c, _: o.Archive(c.at)),
    _opportunity.read(api.GET, present),
)


# --- sales settings -----------------------------------------------------------------------------
def _scope(call: Call) -> str:
    """A branch's settings are its own branch's business (the company's are everyone's to read)."""
    return seen_branch(call, "scope", company=True)


def _change_settings(call: Call, _: s.SalesSettings) -> s.ChangeSalesSettings:
    actor, scope, body = call.actor, call.record_id, call.body
    if not actor.is_hq and not (actor.role == "branch_manager" and scope == actor.branch):
        raise DomainError("Only HQ, or the branch manager for the branch, changes sales settings.")
    stages = (
        tuple(PipelineStage(x.stage, x.probability) for x in body.pipeline)
        if body.pipeline is not None
        else None
    )
    return s.ChangeSalesSettings(scope, stages, body.discount_threshold_percent, call.at)


async def _settings(call: Call) -> Shown:
    scope = _scope(call)
    return plain(await settings_for(call.store, scope)) | {"scope": scope}, 0


SETTINGS: tuple[Spec, ...] = (
    Write(
        api.SETTINGS,
        s.sales_settings,
        s.stream_id,
        _change_settings,
        "branch",
        record=_scope,
        scoped=False,
    ),
    Custom(api.SETTINGS_GET, _settings),
)


# --- quotas (HQ) --------------------------------------------------------------------------------
def _quota_id(call: Call) -> str:
    body: api.SetQuota = call.body
    return q.stream_id(body.year, body.dimension, body.key).removeprefix("quota-")


def _set_quota(call: Call, _: q.State) -> q.SetQuota:
    b: api.SetQuota = call.body
    months = tuple(b.last_year_months) if b.last_year_months else None
    return q.SetQuota(
        call.record_id, b.year, b.dimension, b.key, b.branch, b.annual, months, call.at
    )


def _quota_visible(actor: Any, state: q.State) -> bool:
    return state is not None and (state.branch is None or actor.sees(state.branch))


def _quota_body(state: q.Quota) -> dict[str, Any]:
    quarters = [float(state.quarter(i)) for i in range(1, 5)]
    return dict(plain(state)) | {"quarters": quarters, "id": state.quota_id}


def _quota_stream(quota_id: str) -> str:
    return f"quota-{quota_id}"


_quota = Records(q.quota, _quota_stream, "quota", "quota_id", scoped=False)


QUOTAS: tuple[Spec, ...] = (
    Write(
        api.QUOTA_SET, q.quota, _quota_stream, _set_quota, "quota", record=_quota_id, scoped=False
    ),
    _quota(
        api.QUOTA_ADJUST,
        lambda c, _: q.AdjustQuota(
            c.body.from_month, c.body.percent, c.body.amount, c.body.reason, c.at
        ),
    ),
    _quota.read(api.QUOTA_GET, _quota_body, _quota_visible),
)

COMMANDS: tuple[Spec, ...] = OPPORTUNITIES + SETTINGS + QUOTAS
