"""The opportunities service's composition root, used by production and tests alike: the command
table mounted as the internal API (called by the gateway only), the relay, the reactions."""

from __future__ import annotations

from crm_events.opportunities import CONTEXT
from crm_platform.mount import mount
from crm_platform.service import service_app
from crm_platform.settings import Settings
from fastapi import FastAPI

from crm_opportunities.commands import COMMANDS
from crm_opportunities.reactions import REACTIONS


def create_app(
    settings: Settings | None = None, *, relay: bool = True, workers: bool = True
) -> FastAPI:
    return service_app(
        CONTEXT,
        settings or Settings(),
        [mount(COMMANDS)],
        relay=relay,
        workers=[REACTIONS] if workers else [],
    )
