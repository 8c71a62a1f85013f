"""All configuration, read once from the environment, with safe defaults.

Every setting is a ``MITROO_*`` environment variable; ``Settings.from_env`` validates
them all and reports every bad one in a single ``SettingsError``.
"""
from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from provider.xml.keys import KeySource, SignatureAlgorithm, read_passphrase

ENVIRONMENTS = ("test", "production")
FRONTS = ("none", "nginx")
_LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("::1/128"))
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


class SettingsError(ValueError):
    """One or more settings are invalid; the message names each and says why."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("var")
    database_url: str = ""
    public_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    environment: str = "test"
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    max_body_bytes: int = 1_048_576
    audit_clock_skew_seconds: int = 900
    digest_max_age_seconds: int = 300
    credential_cache_seconds: int = 60
    credential_key_file: Path = field(default=Path(""))
    signing_key_file: Path = field(default=Path(""))
    signing_cert_file: Path = field(default=Path(""))
    signing_pkcs12_file: Path | None = None
    signing_next_cert_file: Path | None = None
    signing_passphrase: bytes | None = field(default=None, repr=False)
    signature_algorithm: SignatureAlgorithm = SignatureAlgorithm.RSA_SHA256
    signature_ttl_seconds: int = 300
    lockout_user_failures: int = 10  # per (username, source address)
    lockout_ip_failures: int = 50
    lockout_window_seconds: int = 300
    lockout_spray_failures: int = 20
    lockout_spray_delay_seconds: int = 30
    lockout_known_days: int = 90
    # Abuse and fault limits (docs/security.md, Limits and their settings).
    agency_max_concurrent_calls: int = 8  # 0: no cap
    call_slot_lease_seconds: int = 120
    db_statement_timeout_ms: int = 10_000
    db_connect_timeout_seconds: int = 3
    # The auditor console (``mitroo-audit web``), a process of its own beside the provider.
    console_host: str = "127.0.0.1"
    console_port: int = 8001
    console_public_url: str = ""  # default http://console_host:console_port; https:// makes the cookie Secure
    console_secret_key_file: Path = field(default=Path(""))
    console_idle_seconds: int = 900
    console_session_seconds: int = 28800  # a console session's absolute lifetime, however active
    # Each worker process keeps its own pool: db_pool_size connections, plus up to db_max_overflow
    # more under a burst; a call waits at most db_pool_timeout_seconds for one.
    db_pool_size: int = 5
    db_max_overflow: int = 5
    db_pool_timeout_seconds: int = 10
    log_level: str = "INFO"
    # The audit seal log (mitroo-audit seal/verify): one signed record per seal, outside the database;
    # signed by the seal key (the signing key unless both seal files are set); timestamped by a TSA if set.
    audit_seal_log: Path = field(default=Path(""))
    audit_seal_key_file: Path | None = None
    audit_seal_cert_file: Path | None = None
    audit_tsa_url: str = ""
    audit_tsa_ca_file: Path | None = None
    # The buffering front (``serve`` with MITROO_FRONT=nginx, provider.server.front): its deadlines, who may
    # read /metrics through it, and TLS (served by the front only).
    front: str = "none"
    front_header_timeout_seconds: int = 10  # the whole request line and headers
    front_body_timeout_seconds: int = 10  # between two reads of the body
    front_keepalive_timeout_seconds: int = 15
    front_send_timeout_seconds: int = 30  # between two writes of the answer
    front_metrics_allow: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = _LOOPBACK
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    tls_client_ca_file: Path | None = None  # mutual TLS: client certificates this CA issued are verified
    # Benchmark-only switches, refused unless environment == "test" (scripts/bench).
    bench_unsigned: bool = False  # answers leave unsigned: the pipeline without its signature
    bench_echo: bool = False  # /ws/benchEcho: spyne alone, no database, audit or signature

    def __post_init__(self) -> None:
        if not self.database_url:
            path = (self.data_dir / "mitroo.sqlite3").resolve()
            object.__setattr__(self, "database_url", f"sqlite:///{path}")
        if not self.console_public_url:
            object.__setattr__(self, "console_public_url", f"http://{self.console_host}:{self.console_port}")
        if not str(self.credential_key_file) or str(self.credential_key_file) == ".":
            object.__setattr__(self, "credential_key_file", (self.data_dir / "credential.key").resolve())
        for attr, name in (("signing_key_file", "signing-key.pem"), ("signing_cert_file", "signing-cert.pem"),
                           ("console_secret_key_file", "console-secret.key"), ("audit_seal_log", "audit-seals.jsonl")):
            if str(getattr(self, attr)) in ("", "."):
                object.__setattr__(self, attr, (self.data_dir / name).resolve())

    @property
    def key_source(self) -> KeySource:
        return KeySource(
            key_file=self.signing_key_file,
            cert_file=self.signing_cert_file,
            pkcs12_file=self.signing_pkcs12_file,
            passphrase=self.signing_passphrase,
            algorithm=self.signature_algorithm,
            next_cert_file=self.signing_next_cert_file,
        )

    @property
    def seal_key_source(self) -> KeySource:
        """The key that signs the audit seal records: the signing key unless another is configured."""
        if self.audit_seal_key_file is None or self.audit_seal_cert_file is None:
            return self.key_source
        return KeySource(key_file=self.audit_seal_key_file, cert_file=self.audit_seal_cert_file,
                         passphrase=self.signing_passphrase, algorithm=self.signature_algorithm)

    @property
    def console_secure_cookies(self) -> bool:
        """The console is reached over TLS (directly or through a proxy): cookies only over HTTPS."""
        return self.console_public_url.startswith("https://")

    @property
    def tls(self) -> bool:
        return self.tls_cert_file is not None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        errors: list[str] = []
        values: dict[str, object] = {}

        def integer(var: str, attr: str, minimum: int, maximum: int | None = None) -> None:
            raw = env.get(var)
            if raw is None or raw == "":
                return
            try:
                number = int(raw)
            except ValueError:
                errors.append(f"{var}={raw!r}: must be a whole number")
                return
            if number < minimum or (maximum is not None and number > maximum):
                bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
                errors.append(f"{var}={raw!r}: must be {bound}")
                return
            values[attr] = number

        def path(var: str, attr: str) -> None:
            if env.get(var):
                values[attr] = Path(env[var])

        if env.get("MITROO_DATA_DIR"):
            values["data_dir"] = Path(env["MITROO_DATA_DIR"])
        url = env.get("MITROO_DATABASE_URL", "")
        if url:
            if not url.startswith(("sqlite:///", "sqlite://", "postgresql://", "postgresql+psycopg://")):
                errors.append(
                    f"MITROO_DATABASE_URL: unsupported scheme in {url.split(':', 1)[0]!r}; "
                    "use sqlite:///path or postgresql+psycopg://user@host/db"
                )
            values["database_url"] = url
        for var, attr in (("MITROO_PUBLIC_URL", "public_url"), ("MITROO_CONSOLE_PUBLIC_URL", "console_public_url")):
            public = env.get(var, "")
            if public:
                parsed = urlsplit(public)
                if parsed.scheme not in ("http", "https") or not parsed.netloc:
                    errors.append(f"{var}={public!r}: must be an http:// or https:// URL with a host")
                values[attr] = public.rstrip("/")
        if env.get("MITROO_HOST"):
            values["host"] = env["MITROO_HOST"]
        integer("MITROO_PORT", "port", 0, 65535)
        if env.get("MITROO_CONSOLE_HOST"):
            values["console_host"] = env["MITROO_CONSOLE_HOST"]
        integer("MITROO_CONSOLE_PORT", "console_port", 0, 65535)
        integer("MITROO_CONSOLE_IDLE_TIMEOUT", "console_idle_seconds", 60, 86400)
        integer("MITROO_CONSOLE_SESSION_LIFETIME", "console_session_seconds", 300, 7 * 86400)
        environment = env.get("MITROO_ENVIRONMENT", "")
        if environment:
            if environment not in ENVIRONMENTS:
                errors.append(f"MITROO_ENVIRONMENT={environment!r}: must be one of {', '.join(ENVIRONMENTS)}")
            values["environment"] = environment

        def networks(var: str, attr: str) -> None:
            raw = env.get(var, "")
            if not raw.strip():
                return
            nets = []
            for item in raw.split(","):
                item = item.strip()
                if not item:
                    continue
                try:
                    nets.append(ipaddress.ip_network(item, strict=False))
                except ValueError:
                    errors.append(f"{var}: {item!r} is not an IP address or CIDR network")
            values[attr] = tuple(nets)

        networks("MITROO_TRUSTED_PROXIES", "trusted_proxies")
        networks("MITROO_FRONT_METRICS_ALLOW", "front_metrics_allow")
        integer("MITROO_MAX_BODY_BYTES", "max_body_bytes", 1024)
        integer("MITROO_AUDIT_CLOCK_SKEW", "audit_clock_skew_seconds", 1)
        integer("MITROO_DIGEST_MAX_AGE", "digest_max_age_seconds", 1)
        integer("MITROO_CREDENTIAL_CACHE_SECONDS", "credential_cache_seconds", 0)
        integer("MITROO_LOCKOUT_FAILURES", "lockout_user_failures", 1)
        integer("MITROO_LOCKOUT_IP_FAILURES", "lockout_ip_failures", 1)
        integer("MITROO_LOCKOUT_WINDOW", "lockout_window_seconds", 1, 86400)
        integer("MITROO_LOCKOUT_SPRAY_FAILURES", "lockout_spray_failures", 1)
        integer("MITROO_LOCKOUT_SPRAY_DELAY", "lockout_spray_delay_seconds", 1, 3600)
        integer("MITROO_LOCKOUT_KNOWN_DAYS", "lockout_known_days", 1, 3650)
        path("MITROO_CREDENTIAL_KEY_FILE", "credential_key_file")
        path("MITROO_CONSOLE_SECRET_KEY_FILE", "console_secret_key_file")
        path("MITROO_SIGNING_KEY_FILE", "signing_key_file")
        path("MITROO_SIGNING_CERT_FILE", "signing_cert_file")
        path("MITROO_SIGNING_PKCS12_FILE", "signing_pkcs12_file")
        path("MITROO_SIGNING_NEXT_CERT_FILE", "signing_next_cert_file")
        if env.get("MITROO_SIGNATURE_ALGORITHM"):
            try:
                values["signature_algorithm"] = SignatureAlgorithm.from_setting(env["MITROO_SIGNATURE_ALGORITHM"])
            except ValueError as exc:
                errors.append(f"MITROO_SIGNATURE_ALGORITHM={exc}")
        integer("MITROO_SIGNATURE_TTL", "signature_ttl_seconds", 10, 86400)
        integer("MITROO_AGENCY_MAX_CONCURRENT_CALLS", "agency_max_concurrent_calls", 0, 10_000)
        integer("MITROO_CALL_SLOT_LEASE", "call_slot_lease_seconds", 1, 86400)
        integer("MITROO_DB_STATEMENT_TIMEOUT_MS", "db_statement_timeout_ms", 10, 3_600_000)
        integer("MITROO_DB_CONNECT_TIMEOUT", "db_connect_timeout_seconds", 1, 600)
        integer("MITROO_DB_POOL_SIZE", "db_pool_size", 1, 200)
        integer("MITROO_DB_MAX_OVERFLOW", "db_max_overflow", 0, 200)
        integer("MITROO_DB_POOL_TIMEOUT", "db_pool_timeout_seconds", 1, 300)
        path("MITROO_AUDIT_SEAL_LOG", "audit_seal_log")
        path("MITROO_AUDIT_SEAL_KEY_FILE", "audit_seal_key_file")
        path("MITROO_AUDIT_SEAL_CERT_FILE", "audit_seal_cert_file")
        path("MITROO_AUDIT_TSA_CA_FILE", "audit_tsa_ca_file")
        if ("audit_seal_key_file" in values) != ("audit_seal_cert_file" in values):
            errors.append("MITROO_AUDIT_SEAL_KEY_FILE and MITROO_AUDIT_SEAL_CERT_FILE go together: set both or neither")
        tsa = env.get("MITROO_AUDIT_TSA_URL", "")
        if tsa:
            if urlsplit(tsa).scheme not in ("http", "https") or not urlsplit(tsa).netloc:
                errors.append(f"MITROO_AUDIT_TSA_URL={tsa!r}: must be an http:// or https:// URL with a host")
            if "audit_tsa_ca_file" not in values:
                errors.append("MITROO_AUDIT_TSA_URL needs MITROO_AUDIT_TSA_CA_FILE (the TSA's CA certificates, PEM), "
                              "to check its timestamps")
            values["audit_tsa_url"] = tsa
        level = env.get("MITROO_LOG_LEVEL", "")
        if level:
            if level.upper() not in LOG_LEVELS:
                errors.append(f"MITROO_LOG_LEVEL={level!r}: must be one of {', '.join(LOG_LEVELS)}")
            values["log_level"] = level.upper()

        def switch(var: str, attr: str) -> None:
            raw = env.get(var, "")
            if not raw:
                return
            if raw.lower() not in _TRUE + _FALSE:
                errors.append(f"{var}={raw!r}: must be one of {', '.join(_TRUE + _FALSE)}")
                return
            values[attr] = raw.lower() in _TRUE
            if values[attr] and values.get("environment", "test") != "test":
                errors.append(f"{var}: a benchmark-only switch, refused unless MITROO_ENVIRONMENT=test")

        front = env.get("MITROO_FRONT", "")
        if front:
            if front not in FRONTS:
                errors.append(f"MITROO_FRONT={front!r}: must be one of {', '.join(FRONTS)}")
            values["front"] = front
        integer("MITROO_FRONT_HEADER_TIMEOUT", "front_header_timeout_seconds", 1, 3600)
        integer("MITROO_FRONT_BODY_TIMEOUT", "front_body_timeout_seconds", 1, 3600)
        integer("MITROO_FRONT_KEEPALIVE_TIMEOUT", "front_keepalive_timeout_seconds", 0, 3600)
        integer("MITROO_FRONT_SEND_TIMEOUT", "front_send_timeout_seconds", 1, 3600)
        path("MITROO_TLS_CERT_FILE", "tls_cert_file")
        path("MITROO_TLS_KEY_FILE", "tls_key_file")
        path("MITROO_TLS_CLIENT_CA_FILE", "tls_client_ca_file")
        if ("tls_cert_file" in values) != ("tls_key_file" in values):
            errors.append("MITROO_TLS_CERT_FILE and MITROO_TLS_KEY_FILE: set both (HTTPS) or neither")
        if "tls_client_ca_file" in values and "tls_cert_file" not in values:
            errors.append("MITROO_TLS_CLIENT_CA_FILE: client certificates need HTTPS (MITROO_TLS_CERT_FILE and _KEY_FILE)")
        if "tls_cert_file" in values and values.get("front", "none") == "none":
            errors.append("MITROO_TLS_CERT_FILE: HTTPS is served by the front; set MITROO_FRONT=nginx")

        switch("MITROO_BENCH_UNSIGNED", "bench_unsigned")
        switch("MITROO_BENCH_ECHO", "bench_echo")
        passphrase, problem = read_passphrase(env)
        if problem:
            errors.append(problem)
        values["signing_passphrase"] = passphrase
        if errors:
            raise SettingsError("invalid configuration:\n  - " + "\n  - ".join(errors))
        return cls(**values)  # type: ignore[arg-type]
