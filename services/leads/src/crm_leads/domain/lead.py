"""The Lead aggregate (DOMAIN.md §1): new -> assigned -> contacted | nurturing -> qualified ->
converted, or disqualified (with a reason), or merged into the lead it duplicates.

Duplicates: capture carries the normalised e-mail, phone and company keys and the records that
already hold one of them (the application finds those); a duplicate is merged by hand.
The first follow-up is due within the branch's limit after assignment; a scheduled check
(`CheckFollowUp` with the time of the check) records `LeadFollowUpOverdue` once when it is missed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal, TypeAlias, assert_never

from crm_events.leads import (
    LeadAbsorbed,
    LeadAssigned,
    LeadCaptured,
    LeadConverted,
    LeadDisqualified,
    LeadFollowUpLogged,
    LeadFollowUpOverdue,
    LeadMerged,
    LeadNurtured,
    LeadOwnerChanged,
    LeadQualified,
    OwnerTransferred,
)
from crm_platform.domain import Decider, DomainError

SOURCES = frozenset(
    {"campaign", "website_form", "referral", "trade_show", "cold_call", "partner", "media", "other"}
)
CHANNELS = frozenset({"call", "email", "visit", "meeting", "message"})
DEFAULT_FOLLOW_UP_HOURS = 48
_LEGAL = re.compile(
    r"\b(co\.?,? ?ltd|company limited|limited|ltd|inc|llc|gmbh|corp(oration)?|co)\b\.?|有限公司|股份",
    re.I,
)


# --- duplicate keys ----------------------------------------------------------------------------
def email_key(email: str | None) -> str | None:
    e = (email or "").strip().lower()
    return f"email:{e}" if "@" in e else None


def phone_key(phone: str | None) -> str | None:
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) > 11:
        digits = digits[2:]
    return f"phone:{digits}" if len(digits) >= 7 else None


def company_key(company: str) -> str | None:
    name = unicodedata.normalize("NFKC", company).casefold()
    name = _LEGAL.sub(" ", name)
    name = re.sub(r"[^\w]+", "", name)
    return f"company:{name}" if name else None


def duplicate_keys(company: str, email: str | None, phone: str | None) -> tuple[str, ...]:
    return tuple(k for k in (email_key(email), phone_key(phone), company_key(company)) if k)


# --- commands -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Capture:
    lead_id: str
    branch: str
    source: str
    campaign_id: str | None
    company: str
    contact_name: str
    email: str | None
    phone: str | None
    captured_by: str
    possible_duplicates: tuple[str, ...]
    at: datetime


@dataclass(frozen=True, slots=True)
class Assign:
    rep: str
    by: str
    at: datetime
    automatic: bool = False


@dataclass(frozen=True, slots=True)
class LogFollowUp:
    channel: str
    note: str
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CheckFollowUp:
    now: datetime
    limit_hours: int = DEFAULT_FOLLOW_UP_HOURS


@dataclass(frozen=True, slots=True)
class Nurture:
    reason: str
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Qualify:
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Disqualify:
    reason: str
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Convert:
    account_id: str
    account_created: bool
    opportunity_id: str
    opportunity_name: str
    amount: Decimal
    currency: str
    expected_close: date
    at: datetime


@dataclass(frozen=True, slots=True)
class MergeInto:
    into_lead_id: str
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Absorb:
    merged_lead_id: str
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Reassign:
    """From a permanent transfer of an owner: idempotent per transfer."""

    transfer_id: str
    from_rep: str
    to_rep: str
    at: datetime


Command: TypeAlias = (
    Capture
    | Assign
    | LogFollowUp
    | CheckFollowUp
    | Nurture
    | Qualify
    | Disqualify
    | Convert
    | MergeInto
    | Absorb
    | Reassign
)
Event: TypeAlias = (
    LeadCaptured
    | LeadAssigned
    | LeadFollowUpLogged
    | LeadFollowUpOverdue
    | LeadNurtured
    | LeadQualified
    | LeadDisqualified
    | LeadConverted
    | LeadMerged
    | LeadAbsorbed
    | LeadOwnerChanged
)

Status = Literal[
    "new", "assigned", "contacted", "nurturing", "qualified", "converted", "disqualified", "merged"
]
CLOSED = frozenset({"converted", "disqualified", "merged"})


@dataclass(frozen=True, slots=True)
class Lead:
    lead_id: str
    branch: str
    source: str
    campaign_id: str | None
    company: str
    contact_name: str
    email: str | None
    phone: str | None
    possible_duplicates: tuple[str, ...]
    status: Status = "new"
    assignee: str | None = None
    assigned_at: datetime | None = None
    follow_ups: int = 0
    overdue: bool = False
    merged: tuple[str, ...] = ()
    transfers: frozenset[str] = frozenset()
    account_id: str | None = None
    opportunity_id: str | None = None


State: TypeAlias = Lead | None


def _open(state: State) -> Lead:
    if state is None:
        raise DomainError("There is no such lead.")
    if state.status in CLOSED:
        raise DomainError(f"This lead is {state.status}; it can no longer change.")
    return state


def decide(command: Command, state: State) -> list[Event]:
    match command:
        case Capture():
            if state is not None:
                raise DomainError("This lead is already captured.")
            if command.source not in SOURCES:
                raise DomainError(
                    f"The source is one of {', '.join(sorted(SOURCES))}.", field="source"
                )
            if command.source == "campaign" and not command.campaign_id:
                raise DomainError("Name the campaign the lead came from.", field="campaign_id")
            if not (command.email or command.phone):
                raise DomainError("Give an e-mail address or a phone number.", field="email")
            return [
                LeadCaptured(
                    command.lead_id,
                    command.branch,
                    command.source,
                    command.campaign_id,
                    command.company,
                    command.contact_name,
                    command.email,
                    command.phone,
                    duplicate_keys(command.company, command.email, command.phone),
                    command.possible_duplicates,
                    command.captured_by,
                    command.at,
                )
            ]
        case Assign():
            lead = _open(state)
            if lead.status not in ("new", "assigned"):
                raise DomainError(
                    "Only a new or assigned lead is (re)assigned; transfer its owner instead."
                )
            if command.rep == lead.assignee:
                raise DomainError("The lead is already theirs.", field="rep")
            return [
                LeadAssigned(
                    lead.lead_id,
                    lead.branch,
                    lead.assignee,
                    command.rep,
                    command.by,
                    command.automatic,
                    command.at,
                )
            ]
        case LogFollowUp():
            lead = _open(state)
            if command.channel not in CHANNELS:
                raise DomainError(
                    f"The channel is one of {', '.join(sorted(CHANNELS))}.", field="channel"
                )
            if lead.assignee is None:
                raise DomainError("Assign the lead before following it up.")
            return [
                LeadFollowUpLogged(
                    lead.lead_id,
                    command.channel,
                    command.note,
                    command.by,
                    lead.follow_ups == 0,
                    command.at,
                )
            ]
        case CheckFollowUp():
            if (
                state is None
                or state.status != "assigned"
                or state.follow_ups > 0
                or state.overdue
                or state.assignee is None
                or state.assigned_at is None
                or command.now <= state.assigned_at + timedelta(hours=command.limit_hours)
            ):
                return []
            return [
                LeadFollowUpOverdue(
                    state.lead_id,
                    state.branch,
                    state.assignee,
                    state.assigned_at,
                    command.limit_hours,
                    command.now,
                )
            ]
        case Nurture():
            lead = _open(state)
            if lead.status == "qualified":
                raise DomainError("A qualified lead goes to sales, not back to nurturing.")
            return [LeadNurtured(lead.lead_id, command.reason, command.by, command.at)]
        case Qualify():
            lead = _open(state)
            if lead.status not in ("contacted", "nurturing"):
                raise DomainError("A lead is qualified after it has been contacted.")
            return [LeadQualified(lead.lead_id, command.by, command.at)]
        case Disqualify():
            lead = _open(state)
            if not command.reason.strip():
                raise DomainError("Say why the lead is disqualified.", field="reason")
            return [
                LeadDisqualified(lead.lead_id, lead.branch, command.reason, command.by, command.at)
            ]
        case Convert():
            lead = _open(state)
            if lead.status != "qualified":
                raise DomainError("Only a qualified lead is converted.")
            if command.amount <= 0:
                raise DomainError("The opportunity's amount must be above zero.", field="amount")
            return [
                LeadConverted(
                    lead.lead_id,
                    command.account_id,
                    command.account_created,
                    command.opportunity_id,
                    command.opportunity_name,
                    command.amount,
                    command.currency,
                    command.expected_close,
                    lead.campaign_id,
                    lead.branch,
                    lead.assignee or "",
                    command.at,
                )
            ]
        case MergeInto():
            lead = _open(state)
            if command.into_lead_id == lead.lead_id:
                raise DomainError("A lead is not merged into itself.", field="into_lead_id")
            return [LeadMerged(lead.lead_id, command.into_lead_id, command.by, command.at)]
        case Absorb():
            lead = _open(state)
            if command.merged_lead_id in lead.merged:
                return []
            return [LeadAbsorbed(lead.lead_id, command.merged_lead_id, command.by, command.at)]
        case Reassign():
            if (
                state is None
                or state.status in CLOSED
                or state.assignee != command.from_rep
                or command.transfer_id in state.transfers
            ):
                return []
            return [
                LeadOwnerChanged(
                    state.lead_id, command.from_rep, command.to_rep, command.transfer_id, command.at
                )
            ]
        case _:
            assert_never(command)


def evolve(state: State, event: Event) -> State:
    if isinstance(event, LeadCaptured):
        return Lead(
            event.lead_id,
            event.branch,
            event.source,
            event.campaign_id,
            event.company,
            event.contact_name,
            event.email,
            event.phone,
            event.possible_duplicates,
        )
    assert state is not None, f"{type(event).__name__} needs a captured lead"
    return _evolve_captured(state, event)


def _evolve_captured(state: Lead, event: Event) -> Lead:
    match event:
        case LeadAssigned():
            return replace(
                state, status="assigned", assignee=event.to_rep, assigned_at=event.at, overdue=False
            )
        case LeadFollowUpLogged():
            status: Status = "contacted" if state.status in ("new", "assigned") else state.status
            return replace(state, follow_ups=state.follow_ups + 1, status=status)
        case LeadFollowUpOverdue():
            return replace(state, overdue=True)
        case LeadNurtured():
            return replace(state, status="nurturing")
        case LeadQualified():
            return replace(state, status="qualified")
        case LeadDisqualified():
            return replace(state, status="disqualified")
        case LeadConverted():
            return replace(
                state,
                status="converted",
                account_id=event.account_id,
                opportunity_id=event.opportunity_id,
            )
        case LeadMerged():
            return replace(state, status="merged")
        case LeadAbsorbed():
            return replace(state, merged=(*state.merged, event.merged_lead_id))
        case LeadOwnerChanged():
            return replace(
                state, assignee=event.to_rep, transfers=state.transfers | {event.transfer_id}
            )
        case LeadCaptured():
            return state
        case _:
            assert_never(event)


def initial_state() -> State:
    return None


lead: Decider[Command, State, Event] = Decider(decide, evolve, initial_state)


def stream_id(lead_id: str) -> str:
    return f"lead-{lead_id}"


def on_owner_transferred(e: OwnerTransferred) -> Reassign:
    return Reassign(e.transfer_id, e.from_user, e.to_user, e.transferred_at)
