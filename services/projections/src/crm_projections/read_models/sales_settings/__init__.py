"""The `sales_settings` read model: every scope's pipeline (no reporting views of its own)."""

from crm_projections.read_models.sales_settings.model import MODEL

__all__ = ["MODEL"]
