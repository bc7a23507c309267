"""Events of the `contracts` context (stream ids: contract-<uuid>)."""

from __future__ import annotations

from crm_events.registry import event  # noqa: F401  (used by the schemas below)

CONTEXT = "contracts"
