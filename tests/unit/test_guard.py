"""Control characters in any text are a 422 naming the field, and the route never runs."""

from typing import Any

import httpx
import pytest
from crm_platform.guard import TextGuard, first_control
from crm_platform.http import install_problem_handlers
from fastapi import FastAPI
from pydantic import BaseModel


class Line(BaseModel):
    product: str


class Body(BaseModel):
    name: str
    note: str = ""
    lines: list[Line] = []


def app_with_calls() -> tuple[FastAPI, list[Any]]:
    calls: list[Any] = []
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(TextGuard)

    @app.post("/things/{thing}")
    async def make(thing: str, body: Body, q: str = "") -> dict[str, str]:
        calls.append((thing, body, q))
        return {"name": body.name}

    return app, calls


async def post(app: FastAPI, path: str, body: Any) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.post(path, json=body)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/things/a", {"name": "Huadong\x00Steel"}, "name"),
        (
            "/things/a",
            {"name": "ok", "lines": [{"product": "ok"}, {"product": "p\x1b"}]},
            "lines.1.product",
        ),
        ("/things/a", {"name": "ok", "bad\x07key": 1}, "bad\x07key"),
        ("/things/a?q=x%00y", {"name": "ok"}, "q"),
        ("/things/a%00b", {"name": "ok"}, "path"),
    ],
)
async def test_control_characters_are_refused_naming_the_field(
    path: str, body: Any, field: str
) -> None:
    app, calls = app_with_calls()
    answer = await post(app, path, body)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"] == [
        {"field": field, "message": "control characters are not allowed in text"}
    ]
    assert calls == []


async def test_tabs_and_line_breaks_in_notes_pass_and_the_body_reaches_the_route() -> None:
    app, calls = app_with_calls()
    answer = await post(
        app,
        "/things/a?q=%E4%B8%8A%E6%B5%B7%E6%B3%B5%E4%B8%9A",
        {"name": "上海泵业", "note": "a\tb\r\nc"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"name": "上海泵业"}
    assert calls[0][1].note == "a\tb\r\nc" and calls[0][2] == "上海泵业"


def test_first_control_walks_objects_and_lists_in_order() -> None:
    assert first_control({"a": ["ok", {"b": "x\x00"}], "c": "\x01"}) == "a.1.b"
    assert first_control(["\x7f"]) == "0"
    assert first_control({"a": 1, "b": None, "c": ["x"]}) is None
