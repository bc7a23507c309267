"""The public contract of the CRM's commands and record queries (see crm_api.routes)."""

from crm_api import contracts, leads, opportunities, reports, service_desk
from crm_api.routes import Body, Route

# context -> its routes; the gateway forwards each context's routes to that context's service
ROUTES: dict[str, tuple[Route, ...]] = {
    "leads": leads.ROUTES,
    "opportunities": opportunities.ROUTES,
    "contracts": contracts.ROUTES,
    "service-desk": service_desk.ROUTES,
    "projections": reports.ROUTES,
}

__all__ = ["ROUTES", "Body", "Route"]
