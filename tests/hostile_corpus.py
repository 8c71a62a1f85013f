"""The hostile-request corpus in tests/data/hostile: loading the cases, rendering their templates,
and sending them over a raw socket exactly as described (a lying Content-Length, chunked, no
Content-Type ...), timing the answer from the moment the last byte of the request was sent."""
from __future__ import annotations

import http.client
import json
import re
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from urllib.parse import urlsplit

from tests.conftest import PASSWORD, USERS
from tests.support import audit_record, audit_xml, security_text

HOSTILE = Path(__file__).with_name("data") / "hostile"
_REPEAT = re.compile(r"\[\[repeat (\d+)\]\](.*?)\[\[/repeat\]\]", re.S)
_BYTES = re.compile(rb"\[\[bytes ((?:[0-9a-f]{2} ?)+)\]\]")


@dataclass(frozen=True)
class Case:
    name: str
    file: str
    reason: str
    code: str = "MP_MALFORMED_REQUEST"
    method: str = "POST"
    path: str = "/ws/registryParameters"
    content_type: str | None = "text/xml; charset=utf-8"
    soap_action: str | None = '""'
    encoding: str = "utf-8"
    send: str = "content-length"
    # A refused password costs the slow Argon2 check on purpose (equal time for unknown users):
    # such cases get the bound of a login, not of a parse.
    password_checked: bool = False


def cases() -> list[Case]:
    manifest = json.loads((HOSTILE / "cases.json").read_text(encoding="utf-8"))
    return [Case(**entry) for entry in manifest["cases"]]


@dataclass(frozen=True)
class Context:
    """What a template may refer to; ``marker`` is unique per rendering."""

    secret_file: Path
    canary_url: str
    marker: str = field(default_factory=lambda: f"HOSTILE-MARKER-{uuid.uuid4().hex}")


def render(case: Case, context: Context) -> bytes:
    text = Template((HOSTILE / case.file).read_text(encoding="utf-8")).substitute(
        security=security_text(USERS.aade, PASSWORD),
        audit=audit_xml(audit_record()),
        username=USERS.aade,
        password=PASSWORD,
        marker=context.marker,
        secret_file=context.secret_file,
        canary_url=context.canary_url,
    )
    text = _REPEAT.sub(
        lambda m: "".join(m.group(2).replace("[[i]]", str(i)) for i in range(int(m.group(1))))
        if "[[i]]" in m.group(2) else m.group(2) * int(m.group(1)),
        text,
    )
    return _BYTES.sub(lambda m: bytes.fromhex(m.group(1).decode()), text.encode(case.encoding))


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes
    seconds: float  # from the last byte sent to the last byte received


def send(base_url: str, case: Case, body: bytes, timeout: float = 30) -> Reply:
    """Send ``body`` as ``case`` describes, over one fresh connection, and read one answer."""
    parts = urlsplit(base_url)
    lines = [f"{case.method} {case.path} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close"]
    if case.content_type is not None:
        lines.append(f"Content-Type: {case.content_type}")
    if case.soap_action is not None:
        lines.append(f"SOAPAction: {case.soap_action}")
    length = {"short-content-length": len(body) // 2, "long-content-length": len(body) + 100}.get(case.send, len(body))
    if case.send == "chunked":
        lines.append("Transfer-Encoding: chunked")
        chunks = [body[i:i + 65536] for i in range(0, len(body), 65536)]
        payload = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks) + b"0\r\n\r\n"
    else:
        lines.append(f"Content-Length: {length}")
        payload = body
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload)
        if case.send == "long-content-length":
            sock.shutdown(socket.SHUT_WR)  # the promised rest never comes
        sent = time.monotonic()
        response = http.client.HTTPResponse(sock)
        response.begin()
        data = response.read()
        seconds = time.monotonic() - sent
        return Reply(response.status, response.getheader("Content-Type", ""), data, seconds)


class Canary:
    """A TCP listener that counts connections: a request that makes the provider fetch a URL
    (external entity, external DTD, XInclude) would show up here."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._server.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._server.close()
