"""Fixtures shared by the end-to-end tests that run the console scripts."""
from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def env(tmp_path: Path) -> dict[str, str]:
    port = _free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MITROO_")}
    environment.update(MITROO_DATA_DIR=str(tmp_path), MITROO_PORT=str(port),
                       MITROO_PUBLIC_URL=f"http://127.0.0.1:{port}")
    return environment
