"""The read models of the service, their reporting views and their report routes.

The composition root (app.py), the rebuild and the tools read this list; nothing imports app.py.
"""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import Table

from crm_projections import rollups
from crm_projections.read_models import (
    contracts,
    customer_value,
    funnel,
    leads,
    organisation,
    quotas,
    sales_settings,
    service,
)
from crm_projections.readmodel import ReadModel, views_of

# folded from the events of the contexts they follow
READ_MODELS: tuple[ReadModel, ...] = (
    funnel.MODEL,
    leads.MODEL,
    service.MODEL,
    contracts.MODEL,
    quotas.MODEL,
    organisation.MODEL,
    sales_settings.MODEL,
)

# computed in batch from the read models above, not from events
BATCH_TABLES: tuple[Table, ...] = customer_value.TABLES

# the reporting views, in the order they are made (a view may read one made before it)
VIEWS: tuple[str, ...] = (
    views_of("crm_projections"),
    funnel.VIEWS,
    service.VIEWS,
    leads.VIEWS,
    contracts.VIEWS,
    customer_value.VIEWS,
    organisation.VIEWS,
    quotas.VIEWS,
)

ROUTERS: tuple[APIRouter, ...] = (
    funnel.router,
    service.router,
    leads.router,
    contracts.router,
    customer_value.router,
    rollups.router,
)
