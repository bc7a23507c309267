"""The contracts service's composition root, used by production and tests alike: the command
table mounted as the internal API (called by the gateway only), the relay, the reaction drafting a
contract from every won opportunity, and the overdue check every `CRM_CONTRACTS_CHECK_SECONDS`
(60 by default) on `clock`."""

from __future__ import annotations

import os

from crm_events.contracts import CONTEXT
from crm_platform.mount import mount
from crm_platform.service import service_app
from crm_platform.settings import Settings
from crm_platform.workers import Clock, every, utc_now
from fastapi import FastAPI

from crm_contracts.checks import overdue
from crm_contracts.commands import COMMANDS
from crm_contracts.reactions import REACTIONS


def create_app(
    settings: Settings | None = None,
    *,
    relay: bool = True,
    workers: bool = True,
    clock: Clock = utc_now,
) -> FastAPI:
    seconds = float(os.environ.get("CRM_CONTRACTS_CHECK_SECONDS", "60"))
    app: FastAPI = service_app(
        CONTEXT,
        settings or Settings(),
        [mount(COMMANDS)],
        relay=relay,
        workers=[REACTIONS, every(seconds, overdue, clock)] if workers else [],
    )
    return app
