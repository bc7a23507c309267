"""The internal HTTP API of the opportunities service (called by the gateway only), and its
workers: reactions to the leads context (a converted lead opens its opportunity; a transferred
owner's open opportunities move to the successor).

Routes translate HTTP into a command and back, nothing more; paths, request models and roles come
from the shared route table (crm_api.opportunities).
"""

from __future__ import annotations

from typing import Any

from crm_api import opportunities as api
from crm_events import Envelope
from crm_events.opportunities import CONTEXT, OpportunityLine, PipelineStage, QuoteLine, TeamShare
from crm_platform.domain import NotFound
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
from crm_platform.workers import reactions, system_request
from fastapi import APIRouter, FastAPI
from fastapi.responses import Response

from crm_opportunities.application import commands as c
from crm_opportunities.domain.opportunity import Opportunity

router = APIRouter()


def _lines(lines: list[api.OpportunityLine]) -> tuple[OpportunityLine, ...]:
    return tuple(
        OpportunityLine(x.product, x.product_line, x.quantity, x.unit_price) for x in lines
    )


def opportunity_body(state: Opportunity) -> dict[str, Any]:
    body = plain(state)
    body["id"] = body.pop("opportunity_id")
    body["stage_history"] = body.pop("history")
    body["current_quote_id"] = state.current_quote.quote_id if state.current_quote else None
    body["transfers"] = sorted(state.transfers)
    return dict(body)


@handles(router, api.OPEN)
async def open_opportunity(body: api.OpenOpportunity, req: Cmd, svc: Svc) -> Response:
    currency = svc.settings.currency
    if body.currency != currency:
        raise Problem(
            422, "The request is not valid", f"Amounts are kept in {currency}.", field="currency"
        )
    result = await c.open_opportunity(
        svc.store,
        req,
        account_id=body.account_id,
        name=body.name,
        amount=body.amount,
        currency=body.currency,
        expected_close=body.expected_close,
        branch=body.branch,
        lead_id=body.lead_id,
        campaign_id=body.campaign_id,
        lines=_lines(body.lines),
    )
    return accepted(result, 201)


@handles(router, api.CHANGE_STAGE)
async def change_stage(
    opportunity_id: str, body: api.ChangeStage, req: Cmd, store: Store
) -> Response:
    return accepted(await c.change_stage(store, req, opportunity_id, body.stage))


@handles(router, api.UPDATE)
async def update(opportunity_id: str, body: api.UpdateDetails, req: Cmd, store: Store) -> Response:
    return accepted(
        await c.update_details(
            store,
            req,
            opportunity_id,
            name=body.name,
            amount=body.amount,
            expected_close=body.expected_close,
            lines=_lines(body.lines),
        )
    )


@handles(router, api.ACTIVITY)
async def activity(opportunity_id: str, body: api.LogActivity, req: Cmd, store: Store) -> Response:
    return accepted(
        await c.log_activity(
            store, req, opportunity_id, kind=body.kind, cost=body.cost, note=body.note
        )
    )


@handles(router, api.TEAM)
async def team(opportunity_id: str, body: api.SetTeam, req: Cmd, store: Store) -> Response:
    members = tuple(TeamShare(m.user_id, m.share) for m in body.team)
    return accepted(await c.set_team(store, req, opportunity_id, members))


@handles(router, api.TRANSFER)
async def transfer(
    opportunity_id: str, body: api.OpportunityTransfer, req: Cmd, store: Store
) -> Response:
    return accepted(
        await c.transfer_ownership(
            store, req, opportunity_id, to_owner=body.to_owner, reason=body.reason
        )
    )


@handles(router, api.COMPETITOR)
async def competitor(
    opportunity_id: str, body: api.TrackCompetitor, req: Cmd, store: Store
) -> Response:
    return accepted(
        await c.track_competitor(
            store,
            req,
            opportunity_id,
            competitor=body.competitor,
            their_quote=body.their_quote,
            strategy=body.strategy,
        )
    )


@handles(router, api.UNTRACK)
async def untrack(opportunity_id: str, competitor: str, req: Cmd, store: Store) -> Response:
    return accepted(await c.remove_competitor(store, req, opportunity_id, competitor))


@handles(router, api.QUOTE_ADD)
async def add_quote(opportunity_id: str, body: api.AddQuote, req: Cmd, store: Store) -> Response:
    lines = tuple(
        QuoteLine(x.product, x.product_line, x.quantity, x.unit_price, x.discount_percent)
        for x in body.lines
    )
    return accepted(await c.add_quote(store, req, opportunity_id, lines))


@handles(router, api.QUOTE_APPROVE)
async def approve(opportunity_id: str, quote_id: str, req: Cmd, store: Store) -> Response:
    return accepted(
        await c.decide_quote(store, req, opportunity_id, quote_id, approve=True, reason="")
    )


@handles(router, api.QUOTE_REJECT)
async def reject(
    opportunity_id: str, quote_id: str, body: api.OpportunityReason, req: Cmd, store: Store
) -> Response:
    return accepted(
        await c.decide_quote(
            store, req, opportunity_id, quote_id, approve=False, reason=body.reason
        )
    )


@handles(router, api.QUOTE_SEND)
async def send(opportunity_id: str, quote_id: str, req: Cmd, store: Store) -> Response:
    return accepted(await c.send_quote(store, req, opportunity_id, quote_id))


@handles(router, api.SUSPEND)
async def suspend(
    opportunity_id: str, body: api.OpportunityReason, req: Cmd, store: Store
) -> Response:
    return accepted(await c.suspend(store, req, opportunity_id, body.reason))


@handles(router, api.REACTIVATE)
async def reactivate(opportunity_id: str, req: Cmd, store: Store) -> Response:
    return accepted(await c.reactivate(store, req, opportunity_id))


@handles(router, api.WIN)
async def win(opportunity_id: str, req: Cmd, store: Store) -> Response:
    return accepted(await c.win(store, req, opportunity_id))


@handles(router, api.LOSE)
async def lose(opportunity_id: str, body: api.Lose, req: Cmd, store: Store) -> Response:
    return accepted(
        await c.lose(
            store,
            req,
            opportunity_id,
            reason=body.reason,
            competitor=body.competitor,
            competitor_price=body.competitor_price,
        )
    )


@handles(router, api.SUMMARY)
async def summary(opportunity_id: str, body: api.CloseSummary, req: Cmd, store: Store) -> Response:
    return accepted(
        await c.record_close_summary(
            store,
            req,
            opportunity_id,
            reason=body.reason,
            competitor=body.competitor,
            competitor_price=body.competitor_price,
            lessons=body.lessons,
        )
    )


@handles(router, api.ARCHIVE)
async def archive(opportunity_id: str, req: Cmd, store: Store) -> Response:
    return accepted(await c.archive(store, req, opportunity_id))


@handles(router, api.GET)
async def get_opportunity(opportunity_id: str, actor: CurrentActor, store: Store) -> Response:
    state, version = await c.get_opportunity(store, actor, opportunity_id)
    return record(opportunity_body(state), version)


@handles(router, api.SETTINGS)
async def change_settings(scope: str, body: api.SalesSettings, req: Cmd, store: Store) -> Response:
    if scope != "company" and not req.actor.sees(scope):
        raise NotFound("There is no such branch.")
    pipeline = (
        tuple(PipelineStage(s.stage, s.probability) for s in body.pipeline)
        if body.pipeline is not None
        else None
    )
    return accepted(
        await c.change_sales_settings(
            store,
            req,
            scope,
            pipeline=pipeline,
            discount_threshold_percent=body.discount_threshold_percent,
        )
    )


@handles(router, api.SETTINGS_GET)
async def get_settings(scope: str, actor: CurrentActor, store: Store) -> Response:
    if scope != "company" and not actor.sees(scope):
        raise NotFound("There is no such branch.")
    resolved = await c.settings_for(store, scope)
    return record(plain(resolved) | {"scope": scope}, 0)


@handles(router, api.QUOTA_SET)
async def set_quota(body: api.SetQuota, req: Cmd, store: Store) -> Response:
    result = await c.set_quota(
        store,
        req,
        year=body.year,
        dimension=body.dimension,
        key=body.key,
        branch=body.branch,
        annual=body.annual,
        last_year_months=tuple(body.last_year_months) if body.last_year_months else None,
    )
    return accepted(result, 201)


@handles(router, api.QUOTA_ADJUST)
async def adjust_quota(quota_id: str, body: api.AdjustQuota, req: Cmd, store: Store) -> Response:
    return accepted(
        await c.adjust_quota(
            store,
            req,
            quota_id,
            from_month=body.from_month,
            percent=body.percent,
            amount=body.amount,
            reason=body.reason,
        )
    )


@handles(router, api.QUOTA_GET)
async def get_quota(quota_id: str, actor: CurrentActor, store: Store) -> Response:
    state, version = await c.get_quota(store, actor, quota_id)
    body = plain(state) | {
        "quarters": [float(state.quarter(i)) for i in range(1, 5)],
        "id": state.quota_id,
    }
    return record(body, version)


# --- workers ------------------------------------------------------------------------------------
async def _lead_converted(service: Service, envelope: Envelope) -> None:
    await c.on_lead_converted(service.store, system_request(service, envelope), envelope)


async def _owner_transferred(service: Service, envelope: Envelope) -> None:
    candidates = await service.store.streams_with(
        ("OpportunityOpened", "OpportunityOwnerChanged"), "owner_id", envelope.data["from_user"]
    ) + await service.store.streams_with(
        ("OpportunityOwnerChanged",), "to_owner", envelope.data["from_user"]
    )
    await c.on_owner_transferred(
        service.store, system_request(service, envelope), envelope, sorted(set(candidates))
    )


REACTIONS = reactions(
    "leads", {"LeadConverted": _lead_converted, "OwnerTransferred": _owner_transferred}
)


def create_app(
    settings: Settings | None = None, *, relay: bool = True, workers: bool = True
) -> FastAPI:
    return service_app(
        CONTEXT,
        settings or Settings(),
        [router],
        relay=relay,
        workers=[REACTIONS] if workers else [],
    )
