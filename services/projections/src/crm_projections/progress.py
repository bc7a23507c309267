"""The bookkeeping every read model shares (schema `projections`): how far each has applied each
stream, how far each has read each event store, and the shape each was built with."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Integer, Table, Text, text

from crm_projections.readmodel import metadata

# How far each read model has applied each stream: the basis of duplicate and gap handling.
stream_progress = Table(
    "stream_progress",
    metadata,
    Column("projection", Text, primary_key=True),
    Column("stream_id", Text, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
)

# How far each read model has caught up by reading an event store directly (start-up catch-up).
store_checkpoints = Table(
    "store_checkpoints",
    metadata,
    Column("projection", Text, primary_key=True),
    Column("context", Text, primary_key=True),
    Column("position", BigInteger, nullable=False),
)

# The shape each read model was built with: a read model whose tables or logic changed is rebuilt
# from the event stores at start-up (a read model's "migration" is its rebuild).
read_model_versions = Table(
    "read_model_versions",
    metadata,
    Column("name", Text, primary_key=True),
    Column("fingerprint", Text, nullable=False),
    Column("built_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
)
