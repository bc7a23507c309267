"""The `service` read model: every ticket with its SLA outcome, repairs and the customer's
verdict; the service-quality report."""

from crm_projections.read_models.service.model import MODEL
from crm_projections.read_models.service.routes import router
from crm_projections.readmodel import views_of

VIEWS = views_of(__name__)

__all__ = ["MODEL", "VIEWS", "router"]
