"""Structured JSON logs on stderr, one object a line, with the correlation id where there is one."""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import orjson


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "service": os.environ.get("CRM_SERVICE", ""),
        }
        for key in ("correlation_id", "context", "position"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(entry).decode()


def configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    logging.basicConfig(
        level=os.environ.get("CRM_LOG_LEVEL", "INFO"), handlers=[handler], force=True
    )
    for noisy in ("aiokafka", "httpx", "httpcore"):  # one line per request or poll: too chatty
        logging.getLogger(noisy).setLevel(logging.WARNING)
