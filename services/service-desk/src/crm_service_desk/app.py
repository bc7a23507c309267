"""The service desk's composition root, used by production and tests alike: the command table and
the agent's queue as the internal API (called by the gateway only), the relay, the grade reaction
and the SLA check every `CRM_SERVICE_DESK_CHECK_SECONDS` (60 by default) on `clock`."""

from __future__ import annotations

from crm_events.service_desk import CONTEXT
from crm_platform.mount import command_app

from crm_service_desk import queue
from crm_service_desk.checks import check_sla
from crm_service_desk.commands import COMMANDS
from crm_service_desk.reactions import REACTIONS

create_app = command_app(
    CONTEXT,
    COMMANDS,
    routers=[queue.router],
    reactions=[REACTIONS],
    checks={"CRM_SERVICE_DESK_CHECK_SECONDS": check_sla},
)
