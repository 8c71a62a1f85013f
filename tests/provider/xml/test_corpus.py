"""The hostile corpus (tests/data/hostile/cases.json) and the valid samples through the gateway's
checks that need neither HTTP nor a database (tests/provider/xml/pipeline.py): each hostile case
is refused with its code and reason by the check that should refuse it; a case refused only by the
database (a wrong password: whitespace kept around a credential) passes them all; every valid
sample passes them all. tests/e2e/test_hostile.py sends the same corpus over HTTP."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import USERS
from tests.hostile_corpus import Case, cases
from tests.provider.xml import pipeline

CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_hostile_case_is_refused_by_the_check_that_should(case: Case) -> None:
    if case.name in pipeline.REFUSED_INLINE:
        assert case.method != "POST" and pipeline.REFUSED_INLINE[case.name] == case.reason
        return
    error = pipeline.refusal(pipeline.hostile_request(case), dt.datetime.now(dt.UTC))
    if case.password_checked:
        assert error is None, f"{case.name} is refused by its password (the database), not by {error}"
        return
    assert error is not None, f"{case.name} passed every check"
    assert error.code.name == case.code, error
    assert case.reason in error.description, error.description


def test_the_cases_refused_only_by_the_database_keep_their_credentials_as_sent() -> None:
    """Whitespace around a credential is part of it (compared as sent): the token keeps it."""
    tokens = {case.name: pipeline.check(pipeline.hostile_request(case), dt.datetime.now(dt.UTC)).token
              for case in CASES if case.password_checked}
    assert tokens["whitespace-around-password"].password == " correct-horse-battery-staple "
    username = tokens["whitespace-after-username"].username
    assert username != USERS.aade and username.strip() == USERS.aade


SAMPLES = pipeline.valid_samples()


@pytest.mark.parametrize("sample", SAMPLES, ids=[sample.name for sample in SAMPLES])
def test_a_valid_sample_passes_every_check(sample: pipeline.Sample) -> None:
    checked = pipeline.check(pipeline.Request(sample.body), sample.now)
    assert checked.token.username and checked.token.password
    assert checked.record.transaction_id == checked.declared["auditTransactionId"]


@pytest.mark.parametrize("sample", SAMPLES, ids=[sample.name for sample in SAMPLES])
def test_a_valid_sample_passes_with_a_soap_action_naming_its_operation_and_no_content_length(
    sample: pipeline.Sample,
) -> None:
    operation = pipeline.check(pipeline.Request(sample.body), sample.now).envelope.operation_name
    for action in (f'"{operation}"', f'"urn:x/{operation}"', f"urn:x#{operation}", ""):
        pipeline.check(pipeline.Request(sample.body, soap_action=action, send="chunked"), sample.now)


INVALID = pipeline.schema_invalid_samples()


@pytest.mark.parametrize(("name", "body", "now"), INVALID, ids=[name for name, _, _ in INVALID])
def test_a_schema_invalid_sample_is_refused_by_the_xsd(name: str, body: bytes, now: dt.datetime) -> None:
    error = pipeline.refusal(pipeline.Request(body), now)
    assert error is not None and error.code.name == "MP_SCHEMA_INVALID", (name, error)
