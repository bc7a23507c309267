"""The `leads` read model: leads, campaigns, accounts and the activities logged with them; the
overdue-lead, campaign, neglected-customer and people reports."""

from crm_projections.read_models.leads.model import MODEL
from crm_projections.read_models.leads.routes import router
from crm_projections.readmodel import views_of

VIEWS = views_of(__name__)

__all__ = ["MODEL", "VIEWS", "router"]
