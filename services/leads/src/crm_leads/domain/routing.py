"""Small aggregates the leads context needs besides its records.

- Roster (`lead-roster-<branch>`): the reps a branch's new leads go to in turn, and the hours the
  first follow-up is due within. Routing a lead is idempotent: the same lead asked again gets the
  same rep and no new event.
- Contact key (`contact-key-<sha1>`): the records that hold a normalised e-mail, phone or company
  name, so a new lead can be flagged as a possible duplicate without a query language.
- Transfer (`transfer-<id>`): a permanent transfer of everything an owner holds to a successor.
- Organisation (`organisation`): the tree HQ -> regions -> branches, reference data an admin
  changes (a branch can move to another region). Placing a branch where it is records nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeAlias, assert_never

from crm_events.leads import (
    BranchPlaced,
    ContactKeyClaimed,
    LeadRosterSet,
    LeadRoutedRoundRobin,
    OwnerTransferred,
)
from crm_platform.domain import Decider, DomainError

from crm_leads.domain.lead import DEFAULT_FOLLOW_UP_HOURS


# --- roster ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SetRoster:
    branch: str
    reps: tuple[str, ...]
    follow_up_hours: int
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class RouteLead:
    branch: str
    lead_id: str
    at: datetime


RosterCommand: TypeAlias = SetRoster | RouteLead
RosterEvent: TypeAlias = LeadRosterSet | LeadRoutedRoundRobin


@dataclass(frozen=True, slots=True)
class Roster:
    reps: tuple[str, ...] = ()
    follow_up_hours: int = DEFAULT_FOLLOW_UP_HOURS
    turn: int = 0
    routed: dict[str, str] = field(default_factory=dict)


def decide_roster(command: RosterCommand, state: Roster) -> list[RosterEvent]:
    match command:
        case SetRoster():
            if len(set(command.reps)) != len(command.reps):
                raise DomainError("Name each rep once.", field="reps")
            if not 1 <= command.follow_up_hours <= 24 * 30:
                raise DomainError("The follow-up limit is 1 to 720 hours.", field="follow_up_hours")
            return [
                LeadRosterSet(
                    command.branch, command.reps, command.follow_up_hours, command.by, command.at
                )
            ]
        case RouteLead():
            if command.lead_id in state.routed:
                return []
            if not state.reps:
                raise DomainError("The branch has no reps to route leads to; set its roster first.")
            rep = state.reps[state.turn % len(state.reps)]
            return [LeadRoutedRoundRobin(command.branch, command.lead_id, rep, command.at)]
        case _:
            assert_never(command)


def evolve_roster(state: Roster, event: RosterEvent) -> Roster:
    match event:
        case LeadRosterSet():
            return Roster(event.reps, event.follow_up_hours, 0, state.routed)
        case LeadRoutedRoundRobin():
            return Roster(
                state.reps,
                state.follow_up_hours,
                state.turn + 1,
                {**state.routed, event.lead_id: event.rep},
            )
        case _:
            assert_never(event)


roster: Decider[RosterCommand, Roster, RosterEvent] = Decider(decide_roster, evolve_roster, Roster)


def roster_stream(branch: str) -> str:
    return f"lead-roster-{branch}"


# --- contact keys ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ClaimKey:
    key: str
    record: str
    branch: str
    at: datetime


def decide_key(command: ClaimKey, holders: tuple[str, ...]) -> list[ContactKeyClaimed]:
    if command.record in holders:
        return []
    return [ContactKeyClaimed(command.key, command.record, command.branch, command.at)]


def evolve_key(holders: tuple[str, ...], event: ContactKeyClaimed) -> tuple[str, ...]:
    return (*holders, event.record)


def no_holders() -> tuple[str, ...]:
    return ()


contact_key: Decider[ClaimKey, tuple[str, ...], ContactKeyClaimed] = Decider(
    decide_key, evolve_key, no_holders
)


def key_stream(key: str) -> str:
    return f"contact-key-{hashlib.sha1(key.encode()).hexdigest()}"


# --- transfer -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TransferOwner:
    transfer_id: str
    branch: str
    from_user: str
    to_user: str
    reason: str
    at: datetime


def decide_transfer(
    command: TransferOwner, state: OwnerTransferred | None
) -> list[OwnerTransferred]:
    if state is not None:
        return []
    if command.from_user == command.to_user:
        raise DomainError("A successor is someone else.", field="to_user")
    if not command.reason.strip():
        raise DomainError("Say why everything moves to a successor.", field="reason")
    return [
        OwnerTransferred(
            command.transfer_id,
            command.branch,
            command.from_user,
            command.to_user,
            command.reason,
            command.at,
        )
    ]


def evolve_transfer(_: OwnerTransferred | None, event: OwnerTransferred) -> OwnerTransferred:
    return event


def no_transfer() -> OwnerTransferred | None:
    return None


transfer: Decider[TransferOwner, OwnerTransferred | None, OwnerTransferred] = Decider(
    decide_transfer, evolve_transfer, no_transfer
)


# --- organisation -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PlaceBranch:
    branch: str
    region: str
    by: str
    at: datetime


ORGANISATION_STREAM = "organisation"
Tree: TypeAlias = dict[str, str]  # branch -> region


def decide_place(command: PlaceBranch, tree: Tree) -> list[BranchPlaced]:
    if command.branch == "HQ":
        raise DomainError("HQ is the root of the tree, not a branch.", field="branch")
    previous = tree.get(command.branch)
    if previous == command.region:
        return []
    return [BranchPlaced(command.branch, command.region, previous, command.by, command.at)]


def evolve_tree(tree: Tree, event: BranchPlaced) -> Tree:
    return {**tree, event.branch: event.region}


def empty_tree() -> Tree:
    return {}


organisation: Decider[PlaceBranch, Tree, BranchPlaced] = Decider(
    decide_place, evolve_tree, empty_tree
)
