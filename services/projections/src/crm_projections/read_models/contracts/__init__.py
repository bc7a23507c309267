"""The `contracts` read model: contracts, their lines, instalments and payment allocations; the
receivables and product reports."""

from crm_projections.read_models.contracts.model import MODEL
from crm_projections.read_models.contracts.routes import router
from crm_projections.readmodel import views_of

VIEWS = views_of(__name__)

__all__ = ["MODEL", "VIEWS", "router"]
