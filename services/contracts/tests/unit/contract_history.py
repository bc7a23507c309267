"""The contract the rule and state tests start from: drafted from opportunity o1 (campaign c1) for
two lines, 12000.00 in two instalments, signed a week later and put into execution."""

from datetime import UTC, date, datetime
from decimal import Decimal

from crm_events.contracts import (
    ContractApproved,
    ContractDrafted,
    ContractExecutionStarted,
    ContractLine,
    ContractPaymentPlanSet,
    ContractSigned,
    ContractSubmitted,
    Instalment,
)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
T1 = datetime(2026, 11, 9, 9, 0, tzinfo=UTC)
D = Decimal
PUMPS = ContractLine("1", "Pump P-200", "pumps", D(4), D("2500.00"), D("1800.00"))
SETUP = ContractLine("2", "Installation", "services", D(1), D("2000.00"), D(0))
LINES = (PUMPS, SETUP)  # 4 x 2500.00 + 2000.00 = 12000.00
DUE_1, DUE_2 = date(2026, 12, 1), date(2027, 1, 1)
PLAN = (Instalment(1, DUE_1, D("6000.00")), Instalment(2, DUE_2, D("6000.00")))
DRAFTED = ContractDrafted(
    "k1", "a1", "SH01", "alice", "CNY", LINES, D("12000.00"), "net 30", "o1", "c1", T0
)
SIGNED = (
    DRAFTED,
    ContractPaymentPlanSet("k1", PLAN, T0),
    ContractSubmitted("k1", "alice", T0),
    ContractApproved("k1", "mia", T0),
    ContractSigned(
        "k1", "a1", "SH01", "alice", D("12000.00"), "CNY", LINES, "o1", "c1", "alice", T1
    ),
)
RUNNING = (*SIGNED, ContractExecutionStarted("k1", T1))
