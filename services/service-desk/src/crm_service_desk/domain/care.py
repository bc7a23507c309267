"""Proactive care (DOMAIN.md §4): courtesy calls and follow-ups logged against the account.

One stream per account (`care-<account id>`), so the account's whole care history reads in one go.
A contact is logged once: the same contact id again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import assert_never

from crm_events.service_desk import CareContactLogged
from crm_platform.domain import Decider, DomainError

CARE_KINDS = frozenset({"courtesy_call", "follow_up"})


@dataclass(frozen=True, slots=True)
class LogCareContact:
    contact_id: str
    account_id: str
    branch: str
    kind: str
    by: str
    note: str
    at: datetime  # when the contact took place
    logged_at: datetime
    ticket_id: str | None = None


@dataclass(frozen=True, slots=True)
class Nothing:
    """No care contact has been logged for this account."""


@dataclass(frozen=True, slots=True)
class CareLog:
    account_id: str
    branch: str
    contacts: frozenset[str]
    last_contact_at: datetime


State = Nothing | CareLog


def initial_state() -> State:
    return Nothing()


def decide(command: LogCareContact, state: State) -> list[CareContactLogged]:
    match command:
        case LogCareContact():
            if isinstance(state, CareLog) and command.contact_id in state.contacts:
                return []
            if command.kind not in CARE_KINDS:
                raise DomainError("A care contact is a courtesy call or a follow-up.", field="kind")
            if command.at > command.logged_at:
                raise DomainError("A contact is logged after it took place.", field="at")
            if not command.note.strip():
                raise DomainError("Write down what was said.", field="note")
            return [
                CareContactLogged(
                    contact_id=command.contact_id,
                    account_id=command.account_id,
                    branch=command.branch,
                    kind=command.kind,
                    by=command.by,
                    note=command.note,
                    at=command.at,
                    logged_at=command.logged_at,
                    ticket_id=command.ticket_id,
                )
            ]
        case _:
            assert_never(command)


def evolve(state: State, event: CareContactLogged) -> State:
    if isinstance(state, Nothing):
        return CareLog(event.account_id, event.branch, frozenset({event.contact_id}), event.at)
    return replace(
        state,
        branch=event.branch,
        contacts=state.contacts | {event.contact_id},
        last_contact_at=max(state.last_contact_at, event.at),
    )


care: Decider[LogCareContact, State, CareContactLogged] = Decider(decide, evolve, initial_state)


def stream_id(account_id: str) -> str:
    return f"care-{account_id}"
