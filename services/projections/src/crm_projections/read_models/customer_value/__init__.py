"""The `customer_value` read model: every customer's value, ABC grade, lifecycle stage and
relationship, computed in batch from the other read models (not folded from events), and the
weights it is computed with; the customer-value reports, settings and run."""

from crm_projections.read_models.customer_value.routes import router
from crm_projections.read_models.customer_value.tables import customer_values, value_settings
from crm_projections.readmodel import views_of

TABLES = (customer_values, value_settings)
VIEWS = views_of(__name__)

__all__ = ["TABLES", "VIEWS", "router"]
