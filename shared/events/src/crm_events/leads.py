"""Events of the `leads` context (stream ids: campaign-<uuid>, lead-<uuid>, account-<uuid>).

One module per context on purpose, though this one is a little over the size the codebase keeps
to: it is that context's published contract, read as a whole by integrators, and the AsyncAPI
document groups a context's messages by their module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from crm_events.registry import event

CONTEXT = "leads"


# --- crossing contexts -------------------------------------------------------------------------
@event("LeadConverted")
@dataclass(frozen=True, slots=True)
class LeadConverted:
    """A qualified lead became a customer; the opportunities context opens `opportunity_id` from it."""

    lead_id: str
    account_id: str
    account_created: bool
    opportunity_id: str
    opportunity_name: str
    amount: Decimal
    currency: str
    expected_close: date
    campaign_id: str | None
    branch: str
    owner_id: str
    converted_at: datetime


@event("CustomerGradeChanged")
@dataclass(frozen=True, slots=True)
class CustomerGradeChanged:
    """The customer's effective ABC grade changed (computed, overridden by a manager, or cleared).

    The service desk sets SLAs from it; stream `account-<uuid>`.
    """

    account_id: str
    branch: str
    grade: str  # "A" | "B" | "C"
    previous_grade: str | None
    source: str  # "computed" | "override" | "override-cleared" | "admin"
    changed_at: datetime


@event("OwnerTransferred")
@dataclass(frozen=True, slots=True)
class OwnerTransferred:
    """All of an owner's accounts, leads and open opportunities go to a successor (permanent).

    Stream `transfer-<uuid>`; every context that holds records of `from_user` reassigns them.
    """

    transfer_id: str
    branch: str
    from_user: str
    to_user: str
    reason: str
    transferred_at: datetime


# --- campaigns (stream `campaign-<uuid>`) --------------------------------------------------------
@event("CampaignPlanned")
@dataclass(frozen=True, slots=True)
class CampaignPlanned:
    campaign_id: str
    branch: str
    campaign_type: (
        str  # trade_show | seminar | webinar | direct_mail | online_ad | promotion | other
    )
    theme: str
    segment: str
    starts_on: date
    ends_on: date
    budget: Decimal
    planned_by: str
    at: datetime


@event("CampaignRevised")
@dataclass(frozen=True, slots=True)
class CampaignRevised:
    campaign_id: str
    theme: str
    segment: str
    starts_on: date
    ends_on: date
    budget: Decimal
    at: datetime


@event("CampaignSubmitted")
@dataclass(frozen=True, slots=True)
class CampaignSubmitted:
    campaign_id: str
    by: str
    at: datetime


@event("CampaignApproved")
@dataclass(frozen=True, slots=True)
class CampaignApproved:
    campaign_id: str
    by: str
    at: datetime


@event("CampaignRejected")
@dataclass(frozen=True, slots=True)
class CampaignRejected:
    campaign_id: str
    by: str
    reason: str
    at: datetime


@event("CampaignStarted")
@dataclass(frozen=True, slots=True)
class CampaignStarted:
    campaign_id: str
    at: datetime


@event("CampaignCompleted")
@dataclass(frozen=True, slots=True)
class CampaignCompleted:
    campaign_id: str
    at: datetime


@event("CampaignCancelled")
@dataclass(frozen=True, slots=True)
class CampaignCancelled:
    campaign_id: str
    reason: str
    at: datetime


@event("CampaignCostRecorded")
@dataclass(frozen=True, slots=True)
class CampaignCostRecorded:
    campaign_id: str
    branch: str
    amount: Decimal
    what: str
    at: datetime


@event("CampaignParticipantsRecorded")
@dataclass(frozen=True, slots=True)
class CampaignParticipantsRecorded:
    campaign_id: str
    branch: str
    participants: int
    at: datetime


# --- leads (stream `lead-<uuid>`) -----------------------------------------------------------------
@event("LeadCaptured")
@dataclass(frozen=True, slots=True)
class LeadCaptured:
    lead_id: str
    branch: str
    source: (
        str  # campaign | website_form | referral | trade_show | cold_call | partner | media | other
    )
    campaign_id: str | None
    company: str
    contact_name: str
    email: str | None
    phone: str | None
    keys: tuple[str, ...]  # normalised e-mail, phone and company keys (duplicate detection)
    possible_duplicates: tuple[str, ...]  # lead-<id> / account-<id> already holding one of the keys
    captured_by: str
    at: datetime


@event("LeadAssigned")
@dataclass(frozen=True, slots=True)
class LeadAssigned:
    lead_id: str
    branch: str
    from_rep: str | None
    to_rep: str
    by: str
    automatic: bool  # the branch's round robin chose the rep
    at: datetime


@event("LeadFollowUpLogged")
@dataclass(frozen=True, slots=True)
class LeadFollowUpLogged:
    lead_id: str
    channel: str  # call | email | visit | meeting | message
    note: str
    by: str
    first: bool
    at: datetime


@event("LeadFollowUpOverdue")
@dataclass(frozen=True, slots=True)
class LeadFollowUpOverdue:
    """The assignee did not log a first follow-up within the branch's limit (found by a check)."""

    lead_id: str
    branch: str
    assignee: str
    assigned_at: datetime
    limit_hours: int
    at: datetime


@event("LeadNurtured")
@dataclass(frozen=True, slots=True)
class LeadNurtured:
    lead_id: str
    reason: str
    by: str
    at: datetime


@event("LeadQualified")
@dataclass(frozen=True, slots=True)
class LeadQualified:
    lead_id: str
    by: str
    at: datetime


@event("LeadDisqualified")
@dataclass(frozen=True, slots=True)
class LeadDisqualified:
    lead_id: str
    branch: str
    reason: str
    by: str
    at: datetime


@event("LeadMerged")
@dataclass(frozen=True, slots=True)
class LeadMerged:
    """This lead was a duplicate: it is closed, and its history continues in `into_lead_id`."""

    lead_id: str
    into_lead_id: str
    by: str
    at: datetime


@event("LeadAbsorbed")
@dataclass(frozen=True, slots=True)
class LeadAbsorbed:
    lead_id: str
    merged_lead_id: str
    by: str
    at: datetime


@event("LeadOwnerChanged")
@dataclass(frozen=True, slots=True)
class LeadOwnerChanged:
    lead_id: str
    from_rep: str
    to_rep: str
    transfer_id: str
    at: datetime


# --- customer accounts (stream `account-<uuid>`) ------------------------------------------------
@dataclass(frozen=True, slots=True)
class AccountContact:
    contact_id: str
    name: str
    title: str
    email: str | None
    phone: str | None
    buying_role: str  # decision_maker | influencer | technical_evaluator | user | finance


@event("AccountOpened")
@dataclass(frozen=True, slots=True)
class AccountOpened:
    account_id: str
    branch: str
    company: str
    industry: str
    size: str  # small | medium | large | enterprise
    owner_id: str
    credit_limit: Decimal
    payment_days: int
    from_lead_id: str | None
    at: datetime


@event("AccountDetailsUpdated")
@dataclass(frozen=True, slots=True)
class AccountDetailsUpdated:
    account_id: str
    company: str
    industry: str
    size: str
    credit_limit: Decimal
    payment_days: int
    at: datetime


@event("AccountGrowthPotentialSet")
@dataclass(frozen=True, slots=True)
class AccountGrowthPotentialSet:
    """A manager's estimate (0-100) of a customer's value while it has no history to score;
    `score` None clears it."""

    account_id: str
    branch: str
    score: int | None
    by: str
    at: datetime


@event("AccountContactSaved")
@dataclass(frozen=True, slots=True)
class AccountContactSaved:
    account_id: str
    contact: AccountContact
    at: datetime


@event("AccountContactRemoved")
@dataclass(frozen=True, slots=True)
class AccountContactRemoved:
    account_id: str
    contact_id: str
    at: datetime


@event("AccountInteractionLogged")
@dataclass(frozen=True, slots=True)
class AccountInteractionLogged:
    account_id: str
    branch: str
    interaction_id: str
    kind: str  # visit | call | email | meeting | quote | complaint
    by: str
    note: str
    cost: Decimal
    at: datetime


@event("AccountDelegated")
@dataclass(frozen=True, slots=True)
class AccountDelegated:
    """A temporary delegation: the delegate acts for the owner from one day to another."""

    account_id: str
    owner_id: str
    delegate: str
    starts_on: date
    ends_on: date
    by: str
    at: datetime


@event("AccountDelegationRevoked")
@dataclass(frozen=True, slots=True)
class AccountDelegationRevoked:
    account_id: str
    delegate: str
    by: str
    at: datetime


@event("AccountOwnerChanged")
@dataclass(frozen=True, slots=True)
class AccountOwnerChanged:
    account_id: str
    from_owner: str
    to_owner: str
    transfer_id: str
    at: datetime


@event("AccountGradeComputed")
@dataclass(frozen=True, slots=True)
class AccountGradeComputed:
    account_id: str
    grade: str
    source: str  # computed | admin
    at: datetime


@event("AccountGradeOverridden")
@dataclass(frozen=True, slots=True)
class AccountGradeOverridden:
    account_id: str
    grade: str
    reason: str
    by: str
    at: datetime


@event("AccountGradeOverrideCleared")
@dataclass(frozen=True, slots=True)
class AccountGradeOverrideCleared:
    account_id: str
    by: str
    at: datetime


# --- a branch's lead routing (stream `lead-roster-<branch>`) ------------------------------------
@event("LeadRosterSet")
@dataclass(frozen=True, slots=True)
class LeadRosterSet:
    branch: str
    reps: tuple[str, ...]  # round robin among these, in this order
    follow_up_hours: int  # the first follow-up is due this many hours after assignment
    by: str
    at: datetime


@event("LeadRoutedRoundRobin")
@dataclass(frozen=True, slots=True)
class LeadRoutedRoundRobin:
    branch: str
    lead_id: str
    rep: str
    at: datetime


# --- duplicate detection: who holds a normalised key (stream `contact-key-<sha1 of the key>`) -----
@event("ContactKeyClaimed")
@dataclass(frozen=True, slots=True)
class ContactKeyClaimed:
    key: str  # e.g. email:wang@huadong.cn, phone:13800138000, company:huadongsteel
    record: str  # lead-<id> or account-<id>
    branch: str
    at: datetime


# --- the organisation tree (stream `organisation`): HQ -> regions -> branches ------------------
@event("BranchPlaced")
@dataclass(frozen=True, slots=True)
class BranchPlaced:
    """A branch is placed in a region: the first time, or moved from `previous_region`. Reports
    follow the tree as it was when each thing happened unless asked for the current one."""

    branch: str
    region: str
    previous_region: str | None
    by: str
    at: datetime
