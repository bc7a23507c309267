"""The customer Account aggregate (DOMAIN.md §1, §5): the company, its contacts with their part in
the buying decision, every interaction, the owner with delegations and transfers, and the grade.

`commands` holds what an account is asked and records, `state` what its history folds into,
`decide` and `evolve` the two pure functions.
"""

from __future__ import annotations

from crm_events.leads import OwnerTransferred
from crm_platform.domain import Decider

from crm_leads.domain.account.commands import (
    ClearOverride,
    Command,
    Delegate,
    Event,
    Grade,
    LogInteraction,
    Open,
    Override,
    Reassign,
    RemoveContact,
    RevokeDelegation,
    SaveContact,
    SetGrowthPotential,
    UpdateDetails,
)
from crm_leads.domain.account.decide import BUYING_ROLES, GRADES, INTERACTIONS, SIZES, decide
from crm_leads.domain.account.evolve import evolve
from crm_leads.domain.account.state import Account, Delegation, Nothing, State, initial_state

account: Decider[Command, State, Event] = Decider(decide, evolve, initial_state)


def stream_id(account_id: str) -> str:
    return f"account-{account_id}"


def on_owner_transferred(e: OwnerTransferred) -> Reassign:
    return Reassign(e.transfer_id, e.from_user, e.to_user, e.transferred_at)


__all__ = [
    "BUYING_ROLES",
    "GRADES",
    "INTERACTIONS",
    "SIZES",
    "Account",
    "ClearOverride",
    "Command",
    "Delegate",
    "Delegation",
    "Event",
    "Grade",
    "LogInteraction",
    "Nothing",
    "Open",
    "Override",
    "Reassign",
    "RemoveContact",
    "RevokeDelegation",
    "SaveContact",
    "SetGrowthPotential",
    "State",
    "UpdateDetails",
    "account",
    "decide",
    "evolve",
    "initial_state",
    "on_owner_transferred",
    "stream_id",
]
