"""The Lead aggregate (DOMAIN.md §1): new -> assigned -> contacted | nurturing -> qualified ->
converted, or disqualified (with a reason), or merged into the lead it duplicates.

Duplicates: capture carries the normalised e-mail, phone and company keys (`keys`) and the records
that already hold one of them (the application finds those); a duplicate is merged by hand.
The first follow-up is due within the branch's limit after assignment; a scheduled check
(`CheckFollowUp` with the time of the check) records `LeadFollowUpOverdue` once when it is missed.
`commands` holds what a lead is asked and records, `state` what its history folds into (a type per
status), `decide` and `evolve` the two pure functions.
"""

from __future__ import annotations

from crm_events.leads import OwnerTransferred
from crm_platform.domain import Decider

from crm_leads.domain.lead.commands import (
    DEFAULT_FOLLOW_UP_HOURS,
    Absorb,
    Assign,
    Capture,
    CheckFollowUp,
    Command,
    Convert,
    Disqualify,
    Event,
    LogFollowUp,
    MergeInto,
    Nurture,
    Qualify,
    Reassign,
)
from crm_leads.domain.lead.decide import CHANNELS, SOURCES, decide
from crm_leads.domain.lead.evolve import evolve
from crm_leads.domain.lead.keys import company_key, duplicate_keys, email_key, phone_key
from crm_leads.domain.lead.state import (
    Assigned,
    Captured,
    Closed,
    Contacted,
    Converted,
    Disqualified,
    Lead,
    Merged,
    New,
    Nothing,
    Nurturing,
    Qualified,
    State,
    Status,
    initial_state,
)

lead: Decider[Command, State, Event] = Decider(decide, evolve, initial_state)


def stream_id(lead_id: str) -> str:
    return f"lead-{lead_id}"


def on_owner_transferred(e: OwnerTransferred) -> Reassign:
    return Reassign(e.transfer_id, e.from_user, e.to_user, e.transferred_at)


__all__ = [
    "CHANNELS",
    "DEFAULT_FOLLOW_UP_HOURS",
    "SOURCES",
    "Absorb",
    "Assign",
    "Assigned",
    "Capture",
    "Captured",
    "CheckFollowUp",
    "Closed",
    "Command",
    "Contacted",
    "Convert",
    "Converted",
    "Disqualified",
    "Disqualify",
    "Event",
    "Lead",
    "LogFollowUp",
    "MergeInto",
    "Merged",
    "New",
    "Nothing",
    "Nurture",
    "Nurturing",
    "Qualified",
    "Qualify",
    "Reassign",
    "State",
    "Status",
    "company_key",
    "decide",
    "duplicate_keys",
    "email_key",
    "evolve",
    "initial_state",
    "lead",
    "on_owner_transferred",
    "phone_key",
    "stream_id",
]
