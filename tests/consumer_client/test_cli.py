"""``mitroo-client`` through its entry point, against the live provider: one operation per service
with the JSON output parsed, tables, evidence, verify, wsdl, config files and exit codes."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.acts_data import Registry
from tests.conftest import PASSWORD, USERS, Running, signing_key_files

CLIENT = str(Path(sys.executable).with_name("mitroo-client"))


def client_env(provider: Running, username: str = USERS.aade, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MITROO_")}
    env.update(PYTHONUTF8="1", MITROO_CLIENT_URL=provider.base_url, MITROO_CLIENT_USERNAME=username,
               MITROO_CLIENT_PASSWORD=PASSWORD, MITROO_CLIENT_UNIT="Δ/νση Ελέγχου", MITROO_CLIENT_USER_ID="cli-user",
               MITROO_CLIENT_CERTIFICATES=str(signing_key_files().cert))
    env.update(extra)
    return env


def run(env: dict[str, str], *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLIENT, *args], env=env, capture_output=True, text=True, encoding="utf-8", timeout=120,
                          cwd=cwd)


def test_parameters_as_json_and_as_a_table(provider: Running) -> None:
    env = client_env(provider)
    answer = run(env, "getMunicipalities", "--protocol", "ΑΠ 1/2026", "--regionCode", "EL43", "--json")
    assert answer.returncode == 0, answer.stderr
    parsed = json.loads(answer.stdout)
    assert len(parsed["data"]) == 24 and parsed["callSequenceId"] and parsed["auditTransactionId"]
    assert {"code", "name", "name_latin", "region_code"} <= set(parsed["data"][0])
    table = run(env, "getMunicipalities", "--protocol", "ΑΠ 1/2026", "--regionCode", "EL43")
    assert table.returncode == 0 and "Χανίων" in table.stdout and "name_latin" in table.stdout


def test_an_act_by_reference_as_json(provider: Running, registry: Registry) -> None:
    reference = registry.reference(registry.find("DEATH"))
    args = ["getDeathAct", "--protocol", "ΑΠ 2/2026", "--registryOfficeCode", reference["registryOfficeCode"],
            "--actNumber", str(reference["actNumber"]), "--year", str(reference["year"]), "--json"]
    if "volume" in reference:
        args += ["--volume", str(reference["volume"])]
    answer = run(client_env(provider), *args)
    assert answer.returncode == 0, answer.stderr
    act = json.loads(answer.stdout)["data"]
    assert act["header"]["act_type"] == "DEATH" and act["header"]["act_number"] == reference["actNumber"]
    assert any(party["role"] == "deceased" for party in act["party"])


def test_a_person_search_by_amka_and_birthdate_types(provider: Running, registry: Registry) -> None:
    person = registry.main_person(registry.find("BIRTH"))
    answer = run(client_env(provider), "searchActs", "--protocol", "p", "--amka", person.amka, "--json")
    assert answer.returncode == 0, answer.stderr
    assert json.loads(answer.stdout)["data"]["act"]
    named = run(client_env(provider), "getBirthAct", "--protocol", "p", "--surname", person.surname,
                "--firstname", person.firstname, "--fathername", person.fathername,
                "--birthdate", person.birthdate.isoformat(), "--json")
    assert named.returncode == 0, named.stderr
    assert json.loads(named.stdout)["data"]["header"]["act_type"] == "BIRTH"


@pytest.mark.parametrize("args, username, exit_code, code", [
    (["getMunicipalities", "--protocol", "p", "--regionCode", "EL99"], USERS.aade, 3, "MP_NOT_FOUND"),
    (["getCountries", "--protocol", "p"], USERS.nogrant, 4, "MP_NOT_AUTHORIZED"),
    (["getBirthAct", "--protocol", "p", "--amka", "12345678901"], USERS.aade, 5, "MP_INVALID_INPUT"),
    (["getCountries", "--protocol", "p"], USERS.locked, 8, "MP_AUTHENTICATION_FAILED"),
])
def test_exit_codes(provider: Running, args: list[str], username: str, exit_code: int, code: str) -> None:
    answer = run(client_env(provider, username), *args, "--json")
    assert answer.returncode == exit_code, answer.stderr
    assert json.loads(answer.stdout)["code"] == code
    assert "Traceback" not in answer.stderr and code in answer.stderr


def test_a_wrong_pinned_certificate_exits_6(provider: Running) -> None:
    env = client_env(provider, MITROO_CLIENT_CERTIFICATES=str(signing_key_files(name="attacker").cert))
    answer = run(env, "getCountries", "--protocol", "p")
    assert answer.returncode == 6 and "not pinned" in answer.stderr and answer.stdout == ""


def test_an_unreachable_provider_exits_7(provider: Running) -> None:
    env = client_env(provider, MITROO_CLIENT_URL="http://127.0.0.1:9")
    assert run(env, "getCountries", "--protocol", "p").returncode == 7


def test_evidence_saved_then_verified(provider: Running, tmp_path: Path) -> None:
    env = client_env(provider)
    answer = run(env, "getActTypes", "--protocol", "p", "--json", "--save-evidence", str(tmp_path / "kept"))
    call_id = json.loads(answer.stdout)["callSequenceId"]
    kept = tmp_path / "kept" / f"{call_id}.xml"
    verified = run(env, "verify", str(kept))
    assert verified.returncode == 0 and call_id in verified.stdout
    kept.write_bytes(kept.read_bytes().replace(b"BIRTH", b"BIRTX"))
    assert run(env, "verify", str(kept)).returncode == 6


def test_settings_from_a_config_file_and_missing_settings(provider: Running, tmp_path: Path) -> None:
    config = tmp_path / "client.ini"
    config.write_text(
        "[mitroo-client]\n"
        f"url = {provider.base_url}\nusername = {USERS.aade}\npassword = {PASSWORD}\n"
        f"unit = Δ/νση\nuser_id = u1\ncertificates = {signing_key_files().cert}\n", encoding="utf-8")
    bare = {k: v for k, v in os.environ.items() if not k.startswith("MITROO_")}
    assert run(bare, "getCountries", "--protocol", "p", "--config", str(config)).returncode == 0
    missing = run(bare, "getCountries", "--protocol", "p")
    assert missing.returncode == 2 and "MITROO_CLIENT_URL" in missing.stderr


def test_wsdl_lists_every_service_and_operation(provider: Running) -> None:
    answer = run(client_env(provider), "wsdl")
    assert answer.returncode == 0, answer.stderr
    for name in ("registryParameters", "civilRegistryActs", "getMunicipalities", "searchActs", "listMethods"):
        assert name in answer.stdout


def test_the_audit_service_for_an_auditor(provider: Running, registry: Registry) -> None:
    person = registry.main_person(registry.find("DEATH"))
    answer = run(client_env(provider, USERS.auditor), "getSubjectAccessReport", "--protocol", "ΔΠΔ 9/2026",
                 "--amka", person.amka, "--json")
    assert answer.returncode == 0, answer.stderr
    assert json.loads(answer.stdout)["data"]["amka"] == person.amka
    since = run(client_env(provider, USERS.auditor), "searchAuditEvents", "--protocol", "p", "--username",
                USERS.auditor, "--since", "2020-01-01T00:00:00+00:00", "--maxResults", "1", "--json")
    assert since.returncode == 0, since.stderr
    assert json.loads(since.stdout)["data"]["audit_event"][0]["username"] == USERS.auditor


def test_envelope_prints_a_request_that_the_provider_answers_once(provider: Running) -> None:
    """``mitroo-client envelope`` for curl users: a fresh auditTransactionId and date on every run,
    and on standard error the curl line (URL and SOAPAction) to send it with."""
    from lxml import etree

    from tests.support import audit_row, post

    env = client_env(provider)
    args = ("envelope", "registryParameters", "getRegistryOffices", "--protocol", "ΑΠ 7/2026",
            "--input", "<svc:municipalityCode>7401</svc:municipalityCode>")
    first, second = run(env, *args), run(env, *args)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert f"--data-binary @- {provider.base_url}/ws/registryParameters" in first.stderr
    assert "-H 'SOAPAction: \"getRegistryOffices\"'" in first.stderr

    def transaction(printed: str) -> tuple[str, str]:
        root = etree.fromstring(printed.encode())
        return (root.findtext(".//{urn:mitroo-politon:common:v1}auditTransactionId"),
                root.findtext(".//{urn:mitroo-politon:common:v1}auditTransactionDate"))

    (first_id, first_date), (second_id, _) = transaction(first.stdout), transaction(second.stdout)
    assert first_id != second_id
    assert abs(dt.datetime.fromisoformat(first_date) - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=2)
    answer = post(f"{provider.base_url}/ws/registryParameters", first.stdout.encode(),
                  headers={"SOAPAction": '"getRegistryOffices"'})
    assert answer.status == 200 and answer.error_code is None, answer.raw[:500]
    assert answer.find("registryOffice").findtext("{*}code") == "L7401"
    row = audit_row(provider.engine, answer.call_sequence_id)
    assert (row.audit_transaction_id, row.audit_protocol, row.username) == (first_id, "ΑΠ 7/2026", USERS.aade)


def test_envelope_refuses_input_that_is_not_elements(provider: Running) -> None:
    answer = run(client_env(provider), "envelope", "registryParameters", "getRegistryOffices", "--protocol", "p",
                 "--input", "7401")
    assert answer.returncode == 2 and "--input: the input must be elements only" in answer.stderr
    answer = run(client_env(provider), "envelope", "registryParameters", "getRegistryOffices", "--protocol", "p",
                 "--input", "<svc:municipalityCode>7401")
    assert answer.returncode == 2 and "--input: the input is not well-formed XML" in answer.stderr


def test_the_envelope_helper_knows_the_provider_s_services_and_namespaces() -> None:
    """consumer_client does not import the provider: its copy of the names must stay the provider's."""
    from consumer_client import envelope as helper
    from provider.xml import namespaces as ns

    assert set(helper.SERVICES) == set(ns.SERVICE_NAMES)
    assert helper.COMMON_NS == ns.COMMON
    assert all(helper.service_namespace(service) == ns.service(service) for service in helper.SERVICES)
