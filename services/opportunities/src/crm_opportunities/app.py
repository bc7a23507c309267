"""The opportunities service's composition root, used by production and tests alike: the command
table mounted as the internal API (called by the gateway only), the relay, the reactions."""

from __future__ import annotations

from crm_events.opportunities import CONTEXT
from crm_platform.mount import command_app

from crm_opportunities.commands import COMMANDS
from crm_opportunities.reactions import REACTIONS

create_app = command_app(CONTEXT, COMMANDS, reactions=[REACTIONS])
