"""docs/reporting.md documents every view of the reporting schema and every column of each."""

from pathlib import Path
from uuid import uuid4

import psycopg
from crm_platform.local import ensure_database
from crm_projections.app import engine_for
from crm_projections.tables import create_all

DOC = (Path(__file__).parents[2] / "docs" / "reporting.md").read_text()


async def test_every_view_and_column_is_documented(pg_admin_url: str) -> None:
    url = ensure_database(pg_admin_url, f"views_{uuid4().hex[:8]}")
    engine = engine_for(url)
    await create_all(engine)
    await engine.dispose()
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select table_name, column_name from information_schema.columns"
            " where table_schema = 'reporting' order by table_name, ordinal_position"
        ).fetchall()
    views: dict[str, list[str]] = {}
    for view, column in rows:
        views.setdefault(view, []).append(column)
    assert {"funnel", "opportunities", "service_quality"} <= set(views)
    for view, columns in views.items():
        section = DOC.split(f"### reporting.{view}\n", 1)
        assert len(section) == 2, f"docs/reporting.md has no section for reporting.{view}"
        text = section[1].split("\n### ", 1)[0]
        for column in columns:
            assert f"`{column}`" in text, f"reporting.{view}.{column} is not documented"
