"""Structured JSON logs on stderr, one object a line, with the correlation id where there is one."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
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


class RateLimit(logging.Filter):
    """At most one record per logger and message template every `seconds` from the Kafka client,
    with the count of those left out since: a dead broker must not flood the log (it wrote some
    240 lines a second). Every other logger passes untouched."""

    def __init__(
        self,
        seconds: float = 30.0,
        prefixes: tuple[str, ...] = ("aiokafka", "kafka"),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.seconds, self.prefixes, self.clock = seconds, prefixes, clock
        self.last: dict[tuple[str, str], float] = {}
        self.dropped: dict[tuple[str, str], int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(self.prefixes):
            return True
        key = (record.name, str(record.msg))
        now = self.clock()
        if now - self.last.get(key, -self.seconds) < self.seconds:
            self.dropped[key] = self.dropped.get(key, 0) + 1
            return False
        self.last[key] = now
        if dropped := self.dropped.pop(key, 0):
            record.msg = (
                f"{record.msg} (and {dropped} more like it in the last {self.seconds:.0f}s)"
            )
        return True


def configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RateLimit())
    logging.basicConfig(
        level=os.environ.get("CRM_LOG_LEVEL", "INFO"), handlers=[handler], force=True
    )
    for noisy in ("aiokafka", "httpx", "httpcore"):  # one line per request or poll: too chatty
        logging.getLogger(noisy).setLevel(logging.WARNING)
