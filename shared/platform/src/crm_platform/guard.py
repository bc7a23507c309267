"""Text that no field may hold: control characters are refused at the door with a 422 naming the field.

PostgreSQL cannot store NUL in text or JSON, and no name, note or parameter of a CRM needs a
control character other than tab and line breaks. Checking every request once here, before any
route runs, turns what would be a storage failure deep inside a command into a clear answer, and
keeps such text out of events and logs. Tab, line feed and carriage return stay allowed (notes
have lines).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crm_platform.http import problem_response

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def first_control(value: Any, path: str = "") -> str | None:
    """The field path (dotted, list items by index) of the first text holding a control character."""
    if isinstance(value, str):
        return (path or "body") if CONTROL.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if CONTROL.search(str(key)):
                return here
            found = first_control(item, here)
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = first_control(item, f"{path}.{i}" if path else str(i))
            if found:
                return found
    return None


class TextGuard:
    """A plain ASGI middleware: the path, the query and a JSON body are checked before the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        field = self._in_url(scope)
        body: bytes | None = None
        if field is None and _is_json(scope):
            body = await _read(receive)
            try:
                field = first_control(orjson.loads(body)) if body else None
            except orjson.JSONDecodeError:
                field = None  # FastAPI answers malformed JSON itself
        if field is not None:
            answer = problem_response(
                422,
                "The request is not valid",
                f"{field}: control characters are not allowed in text",
                errors=[{"field": field, "message": "control characters are not allowed in text"}],
            )
            await answer(scope, receive, send)
            return
        if body is None:
            await self.app(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    @staticmethod
    def _in_url(scope: Scope) -> str | None:
        if CONTROL.search(scope.get("path", "")):  # the server has decoded it
            return "path"
        query = scope.get("query_string", b"").decode("latin-1")
        for key, value in parse_qsl(query, keep_blank_values=True):
            if CONTROL.search(key) or CONTROL.search(value):
                return key if not CONTROL.search(key) else "query"
        return None


def _is_json(scope: Scope) -> bool:
    if scope.get("method") not in ("POST", "PUT", "PATCH"):
        return False
    ctype = next((v for k, v in scope["headers"] if k == b"content-type"), b"")
    return b"json" in ctype.lower()


async def _read(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again
