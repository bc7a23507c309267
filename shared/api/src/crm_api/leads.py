"""Routes and request models of the `leads` context."""

from __future__ import annotations

from crm_api.routes import Route

ROUTES: tuple[Route, ...] = ()
