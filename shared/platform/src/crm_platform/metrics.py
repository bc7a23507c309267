"""Prometheus metrics of every service (one registry per process, served at /metrics)."""

from prometheus_client import Counter, Gauge, Histogram

COMMANDS = Counter("crm_commands_total", "Commands handled", ["command", "outcome"])
CONFLICTS = Counter("crm_command_conflicts_total", "Optimistic concurrency conflicts", ["command"])
APPENDS = Counter("crm_events_appended_total", "Events appended", ["context"])
RELAY_PUBLISHED = Counter("crm_relay_published_total", "Events published to Kafka", ["context"])
RELAY_POSITION = Gauge("crm_relay_checkpoint_position", "Last published position", ["context"])
RELAY_LAG = Gauge("crm_relay_lag_events", "Events in the store not yet published", ["context"])
RELAY_ERRORS = Counter("crm_relay_errors_total", "Relay failures (Kafka away, ...)", ["context"])
PROJECTED = Counter(
    "crm_projection_events_total", "Events seen by a read model", ["projection", "outcome"]
)
PROJECTION_STALENESS = Gauge(
    "crm_projection_staleness_seconds", "Age of the last event a read model applied", ["projection"]
)
REQUEST_SECONDS = Histogram("crm_http_request_seconds", "HTTP request latency", ["route", "status"])
REACTIONS = Counter(
    "crm_reactions_total", "Foreign events reacted to", ["context", "event_type", "outcome"]
)
DEAD_LETTERS = Counter(
    "crm_dead_letters_total",
    "Reactions the domain refused (logged, skipped)",
    ["context", "event_type"],
)
