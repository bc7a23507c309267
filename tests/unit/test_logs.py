"""A dead broker must not flood the log: the Kafka client's records are rate-limited, others not."""

import logging

from crm_platform.logs import RateLimit


def record(name: str, msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord(name, logging.ERROR, __file__, 1, msg, args, None)


def test_kafka_client_records_pass_once_per_window_with_the_count_left_out() -> None:
    now = [100.0]
    limit = RateLimit(seconds=30, clock=lambda: now[0])
    first = record("aiokafka.conn", "Unable to connect to %s", "127.0.0.1:9092")
    assert limit.filter(first)
    for _ in range(239):
        assert not limit.filter(record("aiokafka.conn", "Unable to connect to %s", "x"))
    now[0] = 129.9
    assert not limit.filter(record("aiokafka.conn", "Unable to connect to %s", "x"))
    now[0] = 130.0
    later = record("aiokafka.conn", "Unable to connect to %s", "127.0.0.1:9092")
    assert limit.filter(later)
    assert later.getMessage() == (
        "Unable to connect to 127.0.0.1:9092 (and 240 more like it in the last 30s)"
    )
    # another message of the same logger has its own window
    assert limit.filter(record("aiokafka.conn", "Connection closed"))


def test_other_loggers_are_never_limited() -> None:
    limit = RateLimit(seconds=30, clock=lambda: 0.0)
    assert all(limit.filter(record("crm.workers", "reaction failed")) for _ in range(100))
