"""The campaign the campaign tests start from: a trade show planned by mia, and its first steps."""

from datetime import UTC, date, datetime
from decimal import Decimal

from crm_events.leads import CampaignApproved, CampaignPlanned, CampaignStarted, CampaignSubmitted

T = datetime(2026, 9, 1, 9, tzinfo=UTC)
OCT1, OCT3 = date(2026, 10, 1), date(2026, 10, 3)
PLANNED = CampaignPlanned(
    "c1", "SH01", "trade_show", "Pumps expo", "chemicals", OCT1, OCT3, Decimal(80000), "mia", T
)
SUBMITTED = CampaignSubmitted("c1", "mia", T)
APPROVED = CampaignApproved("c1", "mgr", T)
STARTED = CampaignStarted("c1", T)
