"""The `quotas` read model: every quota's months (the regional rollups compare won revenue with
them)."""

from crm_projections.read_models.quotas.model import MODEL
from crm_projections.readmodel import views_of

VIEWS = views_of(__name__)

__all__ = ["MODEL", "VIEWS"]
