"""The customer-value run: grade every customer now (`value.compute`) and send the changed
grades to the leads context over HTTP, on demand and on a schedule."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import httpx
from crm_api import reports as api
from crm_platform.auth import Actor, internal_headers
from crm_platform.settings import Settings
from sqlalchemy.ext.asyncio import AsyncEngine

import crm_projections.read_models.customer_value.value as value

log = logging.getLogger("crm.projections.customer_value")


async def run_analysis(app_state: Any, now: datetime | None = None) -> dict[str, Any]:
    """Grade every customer now and send the changed grades to the leads context."""
    engine: AsyncEngine = app_state.engine
    settings: Settings = app_state.settings
    frame = await value.compute(engine, now or datetime.now(UTC))
    analyst = Actor(api.ANALYST, "admin", "HQ")
    async with httpx.AsyncClient(base_url=settings.url_of("leads"), timeout=10) as client:

        async def send(account_id: str, grade: str) -> bool:
            try:
                answer = await client.put(
                    f"/accounts/{account_id}/grade",
                    json={"grade": grade},
                    headers={
                        **internal_headers(settings.internal_key, analyst),
                        "Idempotency-Key": f"analysis:{account_id}:{grade}:{uuid4()}",
                    },
                )
            except httpx.HTTPError as exc:
                log.warning("grade of %s not sent: %s", account_id, exc)
                return False
            if answer.status_code != 200:
                log.warning("grade of %s refused: %s", account_id, answer.text)
            return answer.status_code == 200

        published = await value.publish(engine, frame, send)
    counts = frame.group_by("grade").len().rows() if frame.height else []
    return {
        "customers_graded": frame.height,
        "grades": {g: n for g, n in sorted(counts)},
        "grades_published": published,
    }


async def analyse_every(app_state: Any, seconds: float, stop: asyncio.Event) -> None:
    """The run on a schedule: first a minute after start-up (the demo data or a restart's
    catch-up has landed by then), then every `seconds` (CRM_ANALYSIS_SECONDS; 0: only on
    demand, through POST /analysis/customer-value/runs)."""
    wait = min(60.0, seconds)
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), wait)
        if stop.is_set():
            return
        try:
            log.info("customer value analysis: %s", await run_analysis(app_state))
        except Exception:
            log.exception("customer value analysis failed; next try in %.0fs", seconds)
        wait = seconds
