"""The lead most of the lead tests start from: captured from a campaign, then worked by alice."""

from datetime import UTC, datetime, timedelta

from crm_events.leads import LeadAssigned, LeadCaptured, LeadFollowUpLogged, LeadQualified
from crm_leads.domain.lead import Capture

T = datetime(2026, 11, 2, 9, tzinfo=UTC)
KEYS = ("email:wang@huadong.cn", "phone:13800138000", "company:huadongsteel")


# the lead's own fields, in the order the capture and its event and state share
LEAD = (
    "l1",
    "SH01",
    "campaign",
    "c1",
    "Huadong Steel Co., Ltd.",
    "Wang Li",
    "wang@huadong.cn",
    "+86 138 0013 8000",
)


def captured(*duplicates: str) -> LeadCaptured:
    """Captured by mia, flagged as a possible duplicate of each of `duplicates`."""
    return LeadCaptured(*LEAD, KEYS, duplicates, "mia", T)


def capture(*duplicates: str) -> Capture:
    """The command `captured(*duplicates)` records."""
    return Capture(*LEAD, "mia", duplicates, T)


ASSIGNED = LeadAssigned("l1", "SH01", None, "alice", "mgr", False, T)
CONTACTED = LeadFollowUpLogged("l1", "call", "intro call", "alice", True, T + timedelta(hours=5))
QUALIFIED = LeadQualified("l1", "alice", T + timedelta(days=2))
