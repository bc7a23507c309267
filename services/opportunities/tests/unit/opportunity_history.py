"""The opportunity most of these tests start from: opened from a lead and a campaign, with one line."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from crm_events.opportunities import OpportunityLine, OpportunityOpened, OpportunityWon, TeamShare

T0 = datetime(2026, 11, 1, 9, tzinfo=UTC)
T1 = T0 + timedelta(days=3)
T2 = T0 + timedelta(days=10)
D = Decimal
LINE = OpportunityLine("PX-200 pump", "pumps", D(2), D("50000.00"))
OPENED = OpportunityOpened(
    "o1",
    "a1",
    "Line 3 retrofit",
    D("100000.00"),
    "CNY",
    date(2027, 3, 31),
    "SH01",
    "alice",
    "prospecting",
    T0,
    "lead-1",
    "camp-1",
    (LINE,),
)


AMOUNT = D("100000.00")


def won(
    at: datetime, amount: Decimal = AMOUNT, lines: tuple[OpportunityLine, ...] = (LINE,)
) -> OpportunityWon:
    """OPENED won at `at` for `amount` and `lines`, alice taking all the credit."""
    alone = (TeamShare("alice", D(100)),)
    return OpportunityWon(
        "o1", "a1", "SH01", "alice", amount, "CNY", lines, alone, "lead-1", "camp-1", at
    )
