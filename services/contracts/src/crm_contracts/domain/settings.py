"""Contract settings: after how many days overdue a contract raises its bad-debt risk.

Set for the company and overridable per branch (streams `contracts-settings-company`,
`contracts-settings-<branch>`). The overdue check (`crm_contracts.checks`) resolves a branch's
settings (branch, else company, else the default of 60 days).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import assert_never

from crm_events.contracts import ContractSettingsChanged
from crm_platform.domain import Decider, DomainError

from crm_contracts.domain.contract.commands import DEFAULT_BAD_DEBT_DAYS

MAX_BAD_DEBT_DAYS = 3650


@dataclass(frozen=True, slots=True)
class ContractSettings:
    bad_debt_days: int | None = None

    def over(self, wider: ContractSettings) -> ContractSettings:
        """These settings, falling back to `wider` where unset."""
        return ContractSettings(
            self.bad_debt_days if self.bad_debt_days is not None else wider.bad_debt_days
        )


DEFAULTS = ContractSettings(DEFAULT_BAD_DEBT_DAYS)


@dataclass(frozen=True, slots=True)
class ChangeContractSettings:
    scope: str  # "company" or a branch
    bad_debt_days: int | None  # None: the wider setting (for the company: the default)
    at: datetime


def decide(
    command: ChangeContractSettings, state: ContractSettings
) -> list[ContractSettingsChanged]:
    match command:
        case ChangeContractSettings():
            days = command.bad_debt_days
            if days is not None and not 1 <= days <= MAX_BAD_DEBT_DAYS:
                raise DomainError(
                    f"The bad-debt threshold is 1 to {MAX_BAD_DEBT_DAYS} days.",
                    field="bad_debt_days",
                )
            if ContractSettings(days) == state:
                return []
            return [ContractSettingsChanged(command.scope, days, command.at)]
        case _:
            assert_never(command)


def evolve(state: ContractSettings, event: ContractSettingsChanged) -> ContractSettings:
    return ContractSettings(event.bad_debt_days)


contract_settings: Decider[ChangeContractSettings, ContractSettings, ContractSettingsChanged] = (
    Decider(decide, evolve, ContractSettings)
)


def stream_id(scope: str) -> str:
    return f"contracts-settings-{scope}"
