"""The account the account tests start from, opened for alice from lead l1, and a contact."""

from datetime import UTC, datetime
from decimal import Decimal

from crm_events.leads import AccountContact, AccountOpened

T = datetime(2026, 11, 2, 9, tzinfo=UTC)
OPENED = AccountOpened(
    "a1", "SH01", "Huadong Steel", "steel", "large", "alice", Decimal(500000), 60, "l1", T
)
CFO = AccountContact("k1", "Zhao Min", "CFO", "zhao@huadong.cn", None, "finance")
