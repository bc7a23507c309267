"""The public contract of the CRM's commands and record queries (see crm_api.routes)."""

from crm_api import opportunities
from crm_api.routes import Body, Route

ROUTES: dict[str, tuple[Route, ...]] = {
    "opportunities": opportunities.ROUTES,
}

__all__ = ["ROUTES", "Body", "Route"]
