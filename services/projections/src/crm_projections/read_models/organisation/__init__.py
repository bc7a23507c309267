"""The `organisation` read model: when each branch was placed in which region, and
`reporting.region_at(branch, at)` that every regional report groups by."""

from crm_projections.read_models.organisation.model import MODEL
from crm_projections.readmodel import views_of

VIEWS = views_of(__name__)

__all__ = ["MODEL", "VIEWS"]
