"""The contracts service's composition root, used by production and tests alike: the command
table mounted as the internal API (called by the gateway only), the relay, the reaction drafting a
contract from every won opportunity, and the overdue check every `CRM_CONTRACTS_CHECK_SECONDS`
(60 by default) on `clock`."""

from __future__ import annotations

from crm_events.contracts import CONTEXT
from crm_platform.mount import command_app

from crm_contracts.checks import check_overdue
from crm_contracts.commands import COMMANDS
from crm_contracts.reactions import REACTIONS

create_app = command_app(
    CONTEXT,
    COMMANDS,
    reactions=[REACTIONS],
    checks={"CRM_CONTRACTS_CHECK_SECONDS": check_overdue},
)
