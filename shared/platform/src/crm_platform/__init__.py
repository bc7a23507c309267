"""Infrastructure shared by every CRM service: event store, relay, Kafka, auth, HTTP, settings."""
