"""Configuration from the environment: every knob is a `CRM_*` variable (docs/configuration.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

# The internal services and the port each listens on by default (`crm run` picks free ones).
SERVICE_PORTS = {
    "leads": 8100,
    "opportunities": 8101,
    "projections": 8102,
    "contracts": 8103,
    "service-desk": 8104,
}


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=lambda: _env("CRM_DATABASE_URL", ""))
    # where events live: "postgres" (the schema of each context in CRM_DATABASE_URL) or "esdb"
    # (EventStoreDB/KurrentDB at CRM_ESDB_URL); a service's own tables stay in CRM_DATABASE_URL
    event_store: str = field(default_factory=lambda: _env("CRM_EVENT_STORE", "postgres"))
    esdb_url: str = field(default_factory=lambda: _env("CRM_ESDB_URL", ""))
    kafka_bootstrap: str = field(default_factory=lambda: _env("CRM_KAFKA_BOOTSTRAP", ""))
    kafka_partitions: int = field(default_factory=lambda: int(_env("CRM_KAFKA_PARTITIONS", "6")))
    kafka_replication: int = field(default_factory=lambda: int(_env("CRM_KAFKA_REPLICATION", "1")))
    jwt_secret: str = field(default_factory=lambda: _env("CRM_JWT_SECRET", ""))
    jwks_url: str = field(default_factory=lambda: _env("CRM_JWKS_URL", ""))
    jwt_audience: str = field(default_factory=lambda: _env("CRM_JWT_AUDIENCE", ""))
    jwt_issuer: str = field(default_factory=lambda: _env("CRM_JWT_ISSUER", ""))
    # signs the gateway's calls to the internal services (crm_platform.auth.internal_token)
    internal_key: str = field(default_factory=lambda: _env("CRM_INTERNAL_KEY", ""))
    currency: str = field(default_factory=lambda: _env("CRM_CURRENCY", "CNY"))
    consistency_wait_seconds: float = field(
        default_factory=lambda: float(_env("CRM_CONSISTENCY_WAIT_SECONDS", "5"))
    )
    log_level: str = field(default_factory=lambda: _env("CRM_LOG_LEVEL", "INFO"))

    def url_of(self, service: str) -> str:
        """Where an internal service answers: CRM_<SERVICE>_URL, e.g. CRM_SERVICE_DESK_URL."""
        var = f"CRM_{service.upper().replace('-', '_')}_URL"
        return _env(var, f"http://127.0.0.1:{SERVICE_PORTS[service]}")

    def require_database(self) -> str:
        if not self.database_url:
            raise RuntimeError("CRM_DATABASE_URL is not set (`crm run` sets it for local runs)")
        return self.database_url

    def require_esdb(self) -> str:
        if not self.esdb_url:
            raise RuntimeError(
                "CRM_EVENT_STORE=esdb needs CRM_ESDB_URL (esdb://host:2113?tls=false)"
            )
        return self.esdb_url

    def require_kafka(self) -> str:
        if not self.kafka_bootstrap:
            raise RuntimeError("CRM_KAFKA_BOOTSTRAP is not set (`crm run` sets it for local runs)")
        return self.kafka_bootstrap


def topic(context: str) -> str:
    """The Kafka topic a context's events are published to."""
    return f"crm.{context}.events"
