"""Events of the `service-desk` context (stream ids: ticket-<uuid>, customer-grade-<account id>)."""

from __future__ import annotations

from crm_events.registry import event  # noqa: F401  (used by the schemas below)

CONTEXT = "service-desk"
