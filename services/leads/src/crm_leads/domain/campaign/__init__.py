"""The Campaign aggregate (DOMAIN.md §1): planned -> submitted -> approved | rejected -> running
-> completed, or cancelled before it completes. A rejected campaign is revised and submitted again.
Actual costs and participants are recorded any time after approval.

`commands` holds what a campaign is asked and records, `state` what its history folds into (a type
per status), `decide` and `evolve` the two pure functions.
"""

from __future__ import annotations

from crm_platform.domain import Decider

from crm_leads.domain.campaign.commands import (
    Cancel,
    Command,
    Complete,
    Event,
    Plan,
    RecordCost,
    RecordParticipants,
    Review,
    Revise,
    Start,
    Submit,
)
from crm_leads.domain.campaign.decide import AFTER_APPROVAL, TYPES, decide
from crm_leads.domain.campaign.evolve import evolve
from crm_leads.domain.campaign.state import (
    Approved,
    Campaign,
    Cancelled,
    Completed,
    Nothing,
    Planned,
    Planning,
    Rejected,
    Running,
    State,
    Status,
    Submitted,
    initial_state,
)

campaign: Decider[Command, State, Event] = Decider(decide, evolve, initial_state)


def stream_id(campaign_id: str) -> str:
    return f"campaign-{campaign_id}"


__all__ = [
    "AFTER_APPROVAL",
    "TYPES",
    "Approved",
    "Campaign",
    "Cancel",
    "Cancelled",
    "Command",
    "Complete",
    "Completed",
    "Event",
    "Nothing",
    "Plan",
    "Planned",
    "Planning",
    "RecordCost",
    "RecordParticipants",
    "Rejected",
    "Review",
    "Revise",
    "Running",
    "Start",
    "State",
    "Status",
    "Submit",
    "Submitted",
    "campaign",
    "decide",
    "evolve",
    "initial_state",
    "stream_id",
]
