"""The `funnel` read model: every opportunity's stage, status and amount, its finished stays in
each stage and its tracked competitors; the funnel, forecast, lost-deal and competitor reports."""

from crm_projections.read_models.funnel.model import MODEL
from crm_projections.read_models.funnel.routes import router
from crm_projections.readmodel import views_of

VIEWS = views_of(__name__)

__all__ = ["MODEL", "VIEWS", "router"]
