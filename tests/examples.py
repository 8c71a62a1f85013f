"""The integration guide's runnable examples (docs/examples/<stack>/) and what each must print.

Every example makes the same calls as the demo users of scripts/serve (one per service, then an
errorRecord and a fault), checks each answer's signature, and prints one line per call; ``check``
holds those lines against the provider's audit trail. tests/docs/test_examples.py runs PHP,
Node and Python (zeep) in the suite; scripts/interop runs every stack whose toolchain is installed.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from sqlalchemy import Engine

from tests.support import audit_row

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
COMMANDS = {  # the stacks that run without a build step
    "php": ["php", str(EXAMPLES / "php" / "mitroo_example.php")],
    "node": ["node", str(EXAMPLES / "node" / "mitroo-example.js")],
    "python": [sys.executable, str(EXAMPLES / "python" / "mitroo_example.py")],
}
LINE = re.compile(r"^(?P<service>\w+)\.(?P<operation>\w+) callSequenceId=(?P<id>[0-9a-f-]{36}) "
                  r"signature=verified (?P<kind>ok|errorRecord|fault) (?P<detail>.*)$")
AADE, CLERK, AUDITOR = "demo-aade-eispraxis", "demo-dimos-athinaion", "demo-auditor"
# (service, operation, caller, what the example printed, how its line goes on, the audited outcome)
EXPECTED = [
    ("registryParameters", "getRegistryOffices", AADE, "ok", "L7401 Ληξιαρχείο Δήμου Χανίων", "OK"),
    ("civilRegistryActs", "getDeathAct", AADE, "ok",
     "deceased ΓΑΛΑΤΙΟΣ ΚΟΥΛΙΔΗΣ (GALATIOS KOULIDIS) on 2022-05-19", "OK"),
    ("civilStatusCertificates", "getMaritalStatusCertificate", AADE, "ok", "certificate MS-", "OK"),
    ("specialElectoralRolls", "checkVoterEligibility", CLERK, "ok", "eligible=true category=ΣΤ", "OK"),
    ("audit", "searchAuditEvents", AUDITOR, "ok", "registryParameters.getRegistryOffices by demo-aade-eispraxis: OK",
     "OK"),
    ("civilRegistryActs", "getDeathAct", AADE, "errorRecord",
     "MP_NOT_FOUND: Δεν βρέθηκαν στοιχεία: δεν υπάρχει ληξιαρχική πράξη θανάτου με αριθμό 99999", "MP_NOT_FOUND"),
    ("registryParameters", "getRegistryOffices", AADE, "fault",
     "soap:Client.MP_AUTHENTICATION_FAILED MP_AUTHENTICATION_FAILED: Αποτυχία ταυτοποίησης", "MP_AUTHENTICATION_FAILED"),
]


def check(engine: Engine, output: str) -> None:
    """Fail unless ``output`` is the expected lines, each matching its call in the audit trail."""
    lines = [LINE.match(line) for line in output.splitlines()]
    assert all(lines) and len(lines) == len(EXPECTED), output
    for line, (service, operation, caller, kind, detail, outcome) in zip(lines, EXPECTED):
        assert line is not None
        assert (line["service"], line["operation"], line["kind"]) == (service, operation, kind), line.string
        assert line["detail"].startswith(detail), line.string
        event = audit_row(engine, line["id"])
        assert (event.service, event.operation, event.outcome) == (service, operation, outcome), line.string
        if kind != "fault":  # the fault is a wrong password: nobody was authenticated
            assert (event.username, event.audit_unit) == (caller, "Δ/νση Ελέγχου"), line.string
