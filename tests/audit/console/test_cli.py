"""``mitroo-audit web`` as an operator starts it: it serves the console on the address it prints
and refuses a database that is not migrated."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.audit.console.conftest import Console
from tests.conftest import PreparedDatabase

AUDIT = str(Path(sys.executable).with_name("mitroo-audit"))


def environment(url: str, directory: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MITROO_")}
    env.update(PYTHONUTF8="1", MITROO_DATABASE_URL=url, MITROO_DATA_DIR=str(directory))
    return env


def test_it_serves_the_console_on_the_address_it_prints(database: PreparedDatabase, console: Console,
                                                         tmp_path: Path) -> None:
    server = subprocess.Popen([AUDIT, "web", "--port", "0"], env=environment(database.url, tmp_path),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        found = re.search(r"on (http://127\.0\.0\.1:\d+)/", line)
        assert found, line + (server.stderr.read() if server.poll() is not None and server.stderr else "")
        base = found.group(1)
        page = requests.get(base + "/search", timeout=30)
        assert page.url.startswith(base + "/login") and "csrf_token" in page.text
        assert (tmp_path / "console-secret.key").stat().st_mode & 0o777 == 0o600
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.slow
def test_it_refuses_a_database_that_is_not_migrated(tmp_path: Path) -> None:
    result = subprocess.run([AUDIT, "web", "--port", "0"],
                            env=environment(f"sqlite:///{tmp_path / 'empty.sqlite3'}", tmp_path),
                            capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert result.returncode != 0 and "mitroo-provider db upgrade" in result.stderr
    assert "Traceback" not in result.stderr

