"""The bad-debt threshold: company-wide, overridable per branch, 60 days when nothing was set."""

from datetime import UTC, datetime

import pytest
from crm_contracts.domain.settings import (
    DEFAULTS,
    ChangeContractSettings,
    ContractSettings,
    contract_settings,
    stream_id,
)
from crm_events.contracts import ContractSettingsChanged
from crm_platform.testing import Spec

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
spec = Spec(contract_settings)


def test_a_threshold_is_set() -> None:
    spec.then(ChangeContractSettings("SH01", 45, T0), [ContractSettingsChanged("SH01", 45, T0)])


def test_setting_the_same_threshold_records_nothing() -> None:
    spec.given(ContractSettingsChanged("SH01", 45, T0)).then(
        ChangeContractSettings("SH01", 45, T0), []
    )


def test_an_override_can_be_cleared() -> None:
    spec.given(ContractSettingsChanged("SH01", 45, T0)).then(
        ChangeContractSettings("SH01", None, T0), [ContractSettingsChanged("SH01", None, T0)]
    )


@pytest.mark.parametrize("days", [0, -1, 3651])
def test_a_threshold_is_a_sensible_number_of_days(days: int) -> None:
    spec.refuses(
        ChangeContractSettings("company", days, T0),
        field="bad_debt_days",
        match=r"^The bad-debt threshold is 1 to 3650 days\.$",
    )


@pytest.mark.parametrize("days", [1, 2, 3649, 3650])
def test_one_day_to_ten_years_is_a_threshold(days: int) -> None:
    spec.then(
        ChangeContractSettings("company", days, T0),
        [ContractSettingsChanged("company", days, T0)],
    )


def test_settings_fold_into_the_latest_threshold() -> None:
    changes = (ContractSettingsChanged("SH01", 45, T0), ContractSettingsChanged("SH01", 30, T0))
    assert spec.given(*changes).state() == ContractSettings(30)


def test_an_unknown_command_is_a_programming_error_that_names_itself() -> None:
    with pytest.raises(AssertionError, match="not-a-command"):
        contract_settings.decide("not-a-command", ContractSettings())  # type: ignore[arg-type]


def test_the_branch_wins_over_the_company_which_wins_over_the_default() -> None:
    assert ContractSettings(30).over(ContractSettings(90)).over(DEFAULTS).bad_debt_days == 30
    assert ContractSettings().over(ContractSettings(90)).over(DEFAULTS).bad_debt_days == 90
    assert ContractSettings().over(ContractSettings()).over(DEFAULTS).bad_debt_days == 60


def test_settings_streams_are_never_contract_streams() -> None:
    assert not stream_id("company").startswith("contract-")
