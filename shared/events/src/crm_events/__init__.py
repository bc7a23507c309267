"""Every event schema of the CRM, the envelope they travel in, and the codec.

Importing this package registers every event type.
"""

from crm_events import contracts, leads, opportunities, service_desk
from crm_events.codec import decode, envelope_from_json, envelope_to_json, from_data, to_data
from crm_events.envelope import Envelope, Metadata, NewEvent
from crm_events.registry import UnknownEventType, event, registry

__all__ = [
    "Envelope",
    "Metadata",
    "NewEvent",
    "UnknownEventType",
    "contracts",
    "decode",
    "envelope_from_json",
    "envelope_to_json",
    "event",
    "from_data",
    "leads",
    "opportunities",
    "registry",
    "service_desk",
    "to_data",
]
