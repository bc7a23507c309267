"""The leads service's composition root, used by production and tests alike: the command table
mounted as the internal API (called by the gateway only), the relay, the follow-up check."""

from __future__ import annotations

from crm_events.leads import CONTEXT
from crm_platform.mount import mount
from crm_platform.service import service_app
from crm_platform.settings import Settings
from crm_platform.workers import Clock, utc_now
from fastapi import FastAPI

from crm_leads.checks import follow_up_check
from crm_leads.commands import COMMANDS


def create_app(
    settings: Settings | None = None,
    *,
    relay: bool = True,
    workers: bool = True,
    clock: Clock = utc_now,
) -> FastAPI:
    app: FastAPI = service_app(
        CONTEXT,
        settings or Settings(),
        [mount(COMMANDS)],
        relay=relay,
        workers=[follow_up_check(clock)] if workers else [],
    )
    return app
