"""The command table serves every route of crm_api.leads, each exactly once."""

from collections import Counter

from crm_api import leads as api
from crm_leads.commands import COMMANDS


def test_every_route_is_declared_once() -> None:
    declared = Counter(spec.route.name for spec in COMMANDS)
    assert declared == Counter(route.name for route in api.ROUTES)
