"""One route table for the whole CRM: the gateway mounts it publicly under /v1 and each service
mounts its own part internally, so a path, its request model and the roles allowed to call it are
written once (DOMAIN.md §0 is the role matrix; docs/security.md explains it).

Branch scope is not in the table: it depends on the record, so the owning service checks it and
answers 404 for a record outside the caller's reach.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SALES = frozenset({"sales_rep", "branch_manager"})
MARKETING = frozenset({"marketing", "branch_manager"})
SERVICE = frozenset({"service_agent", "branch_manager"})
MANAGER = frozenset({"branch_manager"})
HQ_WRITERS = frozenset({"hq_analyst", "admin"})
ADMIN = frozenset({"admin"})
READERS = frozenset(
    {"sales_rep", "branch_manager", "marketing", "service_agent", "hq_analyst", "auditor", "admin"}
)

_PARAM = re.compile(r"{(\w+)}")

# A day of business: the years a CRM record can concern (quotas, closes, plans, report periods).
# Outside them a request is refused by name, not carried into date arithmetic that overflows.
Day = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]


@dataclass(frozen=True)
class Route:
    name: str  # the OpenAPI operation id, unique across the CRM
    method: Literal["GET", "POST", "PUT", "DELETE"]
    path: str  # internal path; the gateway serves it at /v1 + path
    summary: str
    roles: frozenset[str]
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    status: int = 200
    description: str = ""
    tags: tuple[str, ...] = field(default=())
    answer: type[BaseModel] | None = None  # else Accepted, Record or Report (crm_api.answers)

    @property
    def params(self) -> tuple[str, ...]:
        return tuple(_PARAM.findall(self.path))

    @property
    def writes(self) -> bool:
        return self.method != "GET"


class Body(BaseModel):
    """Base of every request model: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def example(**values: Any) -> ConfigDict:
    """The model config of a request body with one OpenAPI example."""
    return ConfigDict(
        extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [values]}
    )
