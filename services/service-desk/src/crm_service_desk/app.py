"""The service desk's composition root, used by production and tests alike: the command table and
the agent's queue as the internal API (called by the gateway only), the relay, the grade reaction
and the SLA check (every `CRM_SERVICE_DESK_CHECK_SECONDS`, on an injectable clock)."""

from __future__ import annotations

import os

from crm_events.service_desk import CONTEXT
from crm_platform.mount import mount
from crm_platform.service import service_app
from crm_platform.settings import Settings
from crm_platform.workers import Clock, every, utc_now
from fastapi import FastAPI

from crm_service_desk import queue
from crm_service_desk.checks import sla_check
from crm_service_desk.commands import COMMANDS
from crm_service_desk.reactions import REACTIONS


def create_app(
    settings: Settings | None = None,
    *,
    relay: bool = True,
    workers: bool = True,
    clock: Clock = utc_now,
) -> FastAPI:
    seconds = float(os.environ.get("CRM_SERVICE_DESK_CHECK_SECONDS", "60"))
    app: FastAPI = service_app(
        CONTEXT,
        settings or Settings(),
        [mount(COMMANDS), queue.router],
        relay=relay,
        workers=[REACTIONS, every(seconds, sla_check, clock)] if workers else [],
    )
    return app
