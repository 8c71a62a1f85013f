"""A real TCP proxy between the client and the provider, to drop or alter what passes, for real.

Each connection carries one HTTP request. ``script`` is a list of actions used in turn, one per
request (the last repeats):

- ``"pass"``: forward the request and the answer;
- ``"drop-before"``: read the request, then close the connection without forwarding it;
- ``"drop-after"``: forward the request (the provider does the work and audits it), read the
  answer, then close the connection without sending it: the client never gets its answer;
- ``"tamper"``: forward, and change one character inside the answer's SOAP Body;
- ``"stall"``: read the request and never answer (until the client gives up).
"""
from __future__ import annotations

import http.client
import re
import socket
import socketserver
import threading
from urllib.parse import urlsplit


class Proxy:
    def __init__(self, upstream: str, script: list[str]) -> None:
        self.upstream = urlsplit(upstream)
        self.script = list(script)
        self.seen: list[str] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                proxy._handle(self.rfile, self.connection)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _next(self) -> str:
        with self._lock:
            action = self.script.pop(0) if len(self.script) > 1 else self.script[0]
            self.seen.append(action)
            return action

    def _handle(self, reader: object, connection: socket.socket) -> None:
        request_line = reader.readline().decode("latin-1")  # type: ignore[attr-defined]
        if not request_line.strip():
            return
        method, target, _version = request_line.split(" ", 2)
        headers: dict[str, str] = {}
        while True:
            line = reader.readline().decode("latin-1").rstrip("\r\n")  # type: ignore[attr-defined]
            if not line:
                break
            name, _, value = line.partition(":")
            headers[name.strip()] = value.strip()
        length = int(headers.get("Content-Length", "0") or 0)
        body = reader.read(length) if length else b""  # type: ignore[attr-defined]
        action = self._next() if method == "POST" else "pass"
        if action == "drop-before":
            connection.close()
            return
        if action == "stall":
            connection.settimeout(30)
            try:
                connection.recv(1)  # returns when the client closes the connection
            except OSError:
                pass
            return
        upstream = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=30)
        forwarded = {k: v for k, v in headers.items() if k.lower() not in ("host", "connection")}
        upstream.request(method, target, body=body, headers=forwarded)
        answer = upstream.getresponse()
        payload = answer.read()
        content_type = answer.getheader("Content-Type", "text/xml")
        upstream.close()
        if action == "drop-after":
            connection.close()
            return
        if action == "tamper":
            start = re.search(rb"<\w+:Body[ >]", payload).start()  # type: ignore[union-attr]
            at = payload.index(b"</", payload.index(b">", start) + 1) - 1  # last character of the first text
            payload = payload[:at] + (b"X" if payload[at:at + 1] != b"X" else b"Y") + payload[at + 1:]
        head = (f"HTTP/1.1 {answer.status} {answer.reason}\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n")
        connection.sendall(head.encode("latin-1") + payload)
