"""Every provider error code maps to exactly one client exception, for errorRecords and faults."""
from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree
from zeep.exceptions import Fault

from consumer_client import errors
from consumer_client.core import ClientCore
from provider.errors import ErrorCode, MitrooError
from provider.xml.envelope import fault_document


def test_every_code_of_design_6_has_its_own_exception() -> None:
    assert set(errors.BY_CODE) == {code.name for code in ErrorCode}
    classes = list(errors.BY_CODE.values())
    assert len(set(classes)) == len(classes)
    assert all(issubclass(cls, errors.ProviderError) and cls is not errors.UnknownError for cls in classes)


@pytest.mark.parametrize("code", list(ErrorCode), ids=lambda code: code.name)
def test_each_code_builds_its_exception_with_code_description_and_call_id(code: ErrorCode) -> None:
    error = errors.provider_error(code.name, code.value.greek, "csid-1")
    assert type(error) is errors.BY_CODE[code.name]
    assert (error.code, error.description, error.call_sequence_id) == (code.name, code.value.greek, "csid-1")
    assert "csid-1" in str(error)


@pytest.mark.parametrize("code", [code for code in ErrorCode if code.is_fault], ids=lambda code: code.name)
def test_each_fault_the_provider_writes_maps_to_its_exception(code: ErrorCode) -> None:
    document = etree.fromstring(fault_document(MitrooError(code, "λεπτομέρεια"), "csid-2", dt.datetime.now(dt.UTC)))
    fault_element = document.find(".//{http://schemas.xmlsoap.org/soap/envelope/}Fault")
    fault = Fault(message=fault_element.findtext("faultstring"), code=fault_element.findtext("faultcode"),
                  detail=fault_element.find("detail"))
    error = ClientCore._fault(fault)
    assert type(error) is errors.BY_CODE[code.name]
    assert error.call_sequence_id == "csid-2" and "λεπτομέρεια" in error.description


def test_an_unknown_code_is_still_raised() -> None:
    error = errors.provider_error("MP_FROM_THE_FUTURE", "νέο", None)
    assert isinstance(error, errors.UnknownError) and error.code == "MP_FROM_THE_FUTURE"


def test_only_unavailability_and_the_concurrency_limit_are_retried() -> None:
    assert [cls.code for cls in errors.BY_CODE.values() if cls.retryable] == ["MP_SERVICE_UNAVAILABLE", "MP_CONCURRENCY_LIMIT"]


def test_exit_codes_tell_the_outcomes_apart() -> None:
    assert errors.NotFound.exit_code != errors.NotAuthorized.exit_code != errors.InvalidInput.exit_code
    assert len({errors.NotFound.exit_code, errors.NotAuthorized.exit_code, errors.InvalidInput.exit_code,
                errors.SignatureError.exit_code, errors.ServiceUnavailable.exit_code}) == 5
