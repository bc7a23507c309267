"""The leads service's composition root, used by production and tests alike: the command table
mounted as the internal API (called by the gateway only), the relay, the follow-up check every
`CRM_LEADS_CHECK_SECONDS` (60 by default) on `clock`."""

from __future__ import annotations

from crm_events.leads import CONTEXT
from crm_platform.mount import command_app

from crm_leads.checks import check_follow_ups
from crm_leads.commands import COMMANDS

create_app = command_app(CONTEXT, COMMANDS, checks={"CRM_LEADS_CHECK_SECONDS": check_follow_ups})
