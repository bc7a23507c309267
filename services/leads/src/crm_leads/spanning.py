"""The leads commands that span several streams (crm_leads.commands declares them).

Duplicate detection reads the contact-key streams before a lead is captured and claims its keys
after (an account claims its company's). Auto-assignment asks the branch's round robin, then
assigns. Conversion opens (or attaches) the account and records LeadConverted, which the
opportunities context turns into the opportunity. A merge closes the duplicate into the survivor.
A transfer moves an owner's accounts and open leads of its branch (the opportunities context moves
their open opportunities: it reacts to OwnerTransferred).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from crm_api import leads as api
from crm_events.leads import CONTEXT
from crm_platform.commands import Accepted, Call, Records, branch_for, seen_by
from crm_platform.domain import Decider, DomainError
from crm_platform.eventstore import AppendResult, ConcurrencyError, EventStore
from crm_platform.handler import OtherBranch, load, same_branch

from crm_leads.domain import account as a
from crm_leads.domain import lead as ld
from crm_leads.domain import routing as r

_lead = Records(ld.lead, ld.stream_id, "lead", "lead_id")


# --- contact keys -------------------------------------------------------------------------------
async def holders(store: EventStore, keys: Iterable[str]) -> tuple[str, ...]:
    """The records holding any of `keys`, each once."""
    found: list[str] = []
    for key in keys:
        held = (await load(store, r.contact_key, r.key_stream(key))).state
        found.extend(h for h in held if h not in found)
    return tuple(found)


async def _claim(call: Call, keys: Iterable[str | None], record: str, branch: str) -> None:
    for key in keys:
        if key is not None:
            claim = r.ClaimKey(key, record, branch, call.at)
            await call.append(r.contact_key, r.key_stream(key), claim)


async def claim_lead_keys(call: Call, captured: Accepted) -> Accepted:
    b: api.CaptureLead = call.body
    keys = ld.duplicate_keys(b.company, b.email, b.phone)
    await _claim(call, keys, f"lead-{captured.id}", branch_for(call.actor, b.branch))
    return captured


async def claim_company_key(call: Call, opened: Accepted) -> Accepted:
    b: api.OpenAccount = call.body
    home = branch_for(call.actor, b.branch)
    await _claim(call, [ld.company_key(b.company)], f"account-{opened.id}", home)
    return opened


# --- leads --------------------------------------------------------------------------------------
async def auto_assign(call: Call) -> Accepted:
    """The branch's round robin picks the rep (the same one if asked again for this lead)."""
    lead_id = call.path["lead_id"]
    loaded = await _lead.load(call, lead_id)
    branch = loaded.state.branch
    await call.append(r.roster, r.roster_stream(branch), r.RouteLead(branch, lead_id, call.at))
    rep = (await load(call.store, r.roster, r.roster_stream(branch))).state.routed[lead_id]
    stream = ld.stream_id(lead_id)
    if loaded.state.assignee == rep:  # asked again: the lead is theirs already
        return Accepted.of(CONTEXT, lead_id, AppendResult(stream, loaded.version, loaded.position))
    assign = ld.Assign(rep, call.by, call.at, automatic=True)
    name = f"auto_assign_lead:{lead_id}"
    done = await call.append(
        ld.lead, stream, assign, name, expected_version=call.req.expected_version
    )
    return Accepted.of(CONTEXT, lead_id, done)


async def convert(call: Call) -> Accepted:
    """A qualified lead becomes a customer: the account is opened for it (its assignee owns it)
    or an account of its branch is attached, then LeadConverted names the new opportunity."""
    b: api.ConvertLead = call.body
    call.require_currency(b.currency)
    lead_id = call.path["lead_id"]
    lead: ld.Lead = (await _lead.load(call, lead_id)).state
    name = f"convert_lead:{lead_id}"
    key = call.req.key(name)
    if key is not None and (earlier := await call.store.idempotent_result(key)) is not None:
        return Accepted.of(CONTEXT, lead_id, earlier)  # the same conversion asked again
    if not isinstance(lead, ld.Qualified) or not lead.assignee:  # refuse before opening an account
        raise DomainError("Only a qualified lead with an assignee is converted.")
    account_id = b.account_id
    if account_id is None:
        opening = a.Open(
            call.new_id(),
            lead.branch,
            lead.company,
            b.industry,
            b.size,
            lead.assignee,
            Decimal(0),
            30,
            lead_id,
            call.at,
        )
        stream = a.stream_id(opening.account_id)
        opened = await call.append(a.account, stream, opening, f"open_account:{lead_id}")
        account_id = opened.stream_id.removeprefix(a.stream_id(""))
        await _claim(call, [ld.company_key(lead.company)], f"account-{account_id}", lead.branch)
    else:
        existing = (await load(call.store, a.account, a.stream_id(account_id))).state
        if not isinstance(existing, a.Account) or existing.branch != lead.branch:
            raise DomainError(
                "Attach the lead to an account of its own branch.", field="account_id"
            )
    command = ld.Convert(
        account_id,
        b.account_id is None,
        call.new_id(),
        b.opportunity_name,
        b.amount,
        b.currency,
        b.expected_close,
        call.at,
    )
    stream = ld.stream_id(lead_id)
    done = await call.append(
        ld.lead, stream, command, name, expected_version=call.req.expected_version
    )
    return Accepted.of(CONTEXT, lead_id, done)


async def merge(call: Call) -> Accepted:
    """The duplicate is closed as merged into the lead of the path, which records it."""
    lead_id, duplicate_id = call.path["lead_id"], call.body.duplicate_id
    if lead_id == duplicate_id:
        raise DomainError("A lead is not merged into itself.", field="duplicate_id")
    survivor = await _lead.load(call, lead_id)
    duplicate = (await load(call.store, ld.lead, ld.stream_id(duplicate_id))).state
    if not seen_by(call.actor, duplicate):
        raise DomainError("There is no such lead to merge.", field="duplicate_id")
    if duplicate.branch != survivor.state.branch:
        raise DomainError("Leads of different branches are not merged.", field="duplicate_id")
    expected = call.req.expected_version  # If-Match names the survivor's version
    if expected is not None and expected != survivor.version:
        raise ConcurrencyError(ld.stream_id(lead_id), expected, survivor.version)
    by, at = call.by, call.at
    into = ld.MergeInto(lead_id, by, at)
    await call.append(ld.lead, ld.stream_id(duplicate_id), into, f"merge_into:{lead_id}")
    absorb = ld.Absorb(duplicate_id, by, at)
    done = await call.append(ld.lead, ld.stream_id(lead_id), absorb, f"absorb:{duplicate_id}")
    return Accepted.of(CONTEXT, lead_id, done)


# --- transfers ----------------------------------------------------------------------------------
def transfer_stream(transfer_id: str) -> str:
    return f"transfer-{transfer_id}"


async def reassign_all(call: Call, transferred: Accepted) -> Accepted:
    """Move `from_user`'s accounts and leads of the transfer's branch to `to_user`; other
    branches' records stay with their owner even when the same user id holds them."""
    b: api.OwnerTransfer = call.body
    store, branch, transfer_id = call.store, branch_for(call.actor, b.branch), transferred.id
    accounts = set(await store.streams_with(("AccountOpened",), "owner_id", b.from_user))
    accounts |= set(await store.streams_with(("AccountOwnerChanged",), "to_owner", b.from_user))
    leads = set(await store.streams_with(("LeadAssigned",), "to_rep", b.from_user))
    leads |= set(await store.streams_with(("LeadOwnerChanged",), "to_rep", b.from_user))
    moves: list[tuple[Decider[Any, Any, Any], set[str], Any]] = [
        (a.account, accounts, a.Reassign(transfer_id, b.from_user, b.to_user, call.at)),
        (ld.lead, leads, ld.Reassign(transfer_id, b.from_user, b.to_user, call.at)),
    ]
    for decider, streams, command in moves:
        for stream in sorted(streams):
            with contextlib.suppress(OtherBranch):
                await call.append(decider, stream, command, authorize=same_branch(branch))
    return transferred
