"""All configuration, read once from the environment, with safe defaults: a leaf that imports nothing
of the project.

``VARIABLES`` is the table of every ``MITROO_*`` variable: the field it sets, its kind, its bounds or
choices, its default and what it means. ``Settings.from_env`` reads the environment through it and
reports every bad value in a single ``SettingsError``; docs/operations.md's configuration table is
``markdown_table()`` (a test compares them; ``python -m provider.settings`` prints it). Objects built
from the settings live with their users: the signing key source in ``provider.xml.keys``
(``signing_source``, ``seal_source``), the lockout policy in ``provider.access.lockout.policy``.
"""
from __future__ import annotations

import dataclasses
import enum
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ENVIRONMENTS = ("test", "production")
FRONTS = ("none", "nginx")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# The names of provider.xml.keys.SignatureAlgorithm's members, as a setting spells them.
SIGNATURE_ALGORITHMS = ("rsa-sha256", "ecdsa-sha256")
DATABASE_SCHEMES = ("sqlite:///", "sqlite://", "postgresql://", "postgresql+psycopg://")
_LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("::1/128"))
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class SettingsError(ValueError):
    """One or more settings are invalid; the message names each and says why."""


class Kind(enum.Enum):
    """How a variable's text becomes a field's value."""

    TEXT = "text"
    INTEGER = "integer"  # a whole number within ``bounds``
    PATH = "path"
    CHOICE = "choice"  # one of ``choices`` (compared case-insensitively where ``upper``)
    URL = "url"  # http:// or https:// with a host; a trailing / dropped
    DATABASE_URL = "database_url"
    NETWORKS = "networks"  # comma-separated IP addresses or CIDR networks
    SWITCH = "switch"  # on/off, benchmark only: refused unless MITROO_ENVIRONMENT=test
    SECRET = "secret"  # the signing key's passphrase: read by ``_passphrase``, kept as bytes, never shown


@dataclass(frozen=True)
class Variable:
    """One row of the configuration table."""

    name: str
    field: str
    kind: Kind
    text: str  # what it sets, for docs/operations.md
    default: str = ""  # the default in words where it is computed; else the field's default is shown
    minimum: int = 0
    maximum: int | None = None
    choices: tuple[str, ...] = ()
    fold: str = ""  # a choice compared as "upper" or "lower" case


VARIABLES: tuple[Variable, ...] = (
    Variable("MITROO_DATABASE_URL", "database_url", Kind.DATABASE_URL,
      "SQLite (WAL, foreign keys on) or `postgresql+psycopg://user@host:5432/db`",
      default="`sqlite:///$MITROO_DATA_DIR/mitroo.sqlite3`"),
    Variable("MITROO_DATA_DIR", "data_dir", Kind.PATH, "where the SQLite file and the credential key live", default="`./var`"),
    Variable("MITROO_PUBLIC_URL", "public_url", Kind.URL,
      "base URL written into each WSDL's `soap:address` (never taken from a request's Host header)"),
    Variable("MITROO_HOST", "host", Kind.TEXT, "the address `serve` listens on"),
    Variable("MITROO_PORT", "port", Kind.INTEGER, "the port `serve` listens on", minimum=0, maximum=65535),
    Variable("MITROO_ENVIRONMENT", "environment", Kind.CHOICE,
      "`test` or `production`; WS users are issued per environment and only this one's users are accepted; "
      "`production` refuses calls over plain HTTP (`MP_MALFORMED_REQUEST`) unless they come through a trusted "
      "proxy that does not say `X-Forwarded-Proto: http`", choices=ENVIRONMENTS),
    Variable("MITROO_TRUSTED_PROXIES", "trusted_proxies", Kind.NETWORKS,
      "comma-separated IPs/CIDRs whose `X-Forwarded-For` (observed client IP), `X-Forwarded-Proto` and "
      "client-certificate header are believed; the front that `serve` starts is trusted without being listed"),
    Variable("MITROO_MAX_BODY_BYTES", "max_body_bytes", Kind.INTEGER,
      "request body cap (the front refuses a larger body with the same fault before it reaches gunicorn)",
      minimum=1024),
    Variable("MITROO_FRONT", "front", Kind.CHOICE,
      "`nginx`: `serve` starts nginx (Debian's package) in front of gunicorn, buffering slow clients and serving "
      "HTTPS: the production deployment, see [The front](#the-front-nginx-slow-clients-and-tls)", choices=FRONTS),
    Variable("MITROO_FRONT_HEADER_TIMEOUT", "front_header_timeout_seconds", Kind.INTEGER,
      "seconds the front allows for a request line and all its headers, in total; then the connection is closed",
      minimum=1, maximum=3600),
    Variable("MITROO_FRONT_BODY_TIMEOUT", "front_body_timeout_seconds", Kind.INTEGER,
      "seconds the front allows between two reads of a request body; then the connection is closed",
      minimum=1, maximum=3600),
    Variable("MITROO_FRONT_KEEPALIVE_TIMEOUT", "front_keepalive_timeout_seconds", Kind.INTEGER,
      "seconds an idle client connection to the front stays open (0: none)", minimum=0, maximum=3600),
    Variable("MITROO_FRONT_SEND_TIMEOUT", "front_send_timeout_seconds", Kind.INTEGER,
      "seconds the front allows between two writes of an answer to a client that does not read",
      minimum=1, maximum=3600),
    Variable("MITROO_FRONT_METRICS_ALLOW", "front_metrics_allow", Kind.NETWORKS,
      "IPs/CIDRs that may read `/metrics` through the front (others get 403)"),
    Variable("MITROO_TLS_CERT_FILE", "tls_cert_file", Kind.PATH,
      "PEM certificate (chain): the front serves HTTPS only, TLS 1.2 and 1.3 with forward-secret AEAD ciphers "
      "(needs `MITROO_FRONT=nginx` and `MITROO_TLS_KEY_FILE`)"),
    Variable("MITROO_TLS_KEY_FILE", "tls_key_file", Kind.PATH, "the PEM key of `MITROO_TLS_CERT_FILE`"),
    Variable("MITROO_TLS_CLIENT_CA_FILE", "tls_client_ca_file", Kind.PATH,
      "mutual TLS: the front asks for a client certificate and passes one this CA (PEM) verifies to the "
      "provider; a WS user bound to a certificate (`mitroo-provider user bind-cert`) must present it"),
    Variable("MITROO_AUDIT_CLOCK_SKEW", "audit_clock_skew_seconds", Kind.INTEGER,
      "seconds an `auditTransactionDate` may differ from the provider's clock", minimum=1),
    Variable("MITROO_DIGEST_MAX_AGE", "digest_max_age_seconds", Kind.INTEGER,
      "seconds a PasswordDigest's `wsu:Created` stays fresh", minimum=1),
    Variable("MITROO_CREDENTIAL_CACHE_SECONDS", "credential_cache_seconds", Kind.INTEGER,
      "how long a verified password skips the slow Argon2 check (0 = never cache)", minimum=0),
    Variable("MITROO_LOCKOUT_FAILURES", "lockout_user_failures", Kind.INTEGER,
      "failed logins of one username **from one source address** within the window that lock that pair (SOAP "
      "and auditor console); the same user from any other address is not affected", minimum=1),
    Variable("MITROO_LOCKOUT_IP_FAILURES", "lockout_ip_failures", Kind.INTEGER,
      "failed logins from one source address, any usernames, after which that address may only try usernames "
      "that have logged in from it before (agencies behind one NAT keep working)", minimum=1),
    Variable("MITROO_LOCKOUT_SPRAY_FAILURES", "lockout_spray_failures", Kind.INTEGER,
      "failed logins of one username from all addresses within the window that throttle it for addresses that "
      "never logged it in", minimum=1),
    Variable("MITROO_LOCKOUT_SPRAY_DELAY", "lockout_spray_delay_seconds", Kind.INTEGER,
      "during such a spray, an unknown address may try the username once per this many seconds (earlier "
      "attempts are refused without the password check)", minimum=1, maximum=3600),
    Variable("MITROO_LOCKOUT_KNOWN_DAYS", "lockout_known_days", Kind.INTEGER,
      "how long a successful login makes its (username, address) pair known, exempt from the address and "
      "spray rules", minimum=1, maximum=3650),
    Variable("MITROO_LOCKOUT_WINDOW", "lockout_window_seconds", Kind.INTEGER,
      "the sliding window in seconds; a lock lifts by itself once the failures age out of it, and a successful "
      "login clears its pair's count", minimum=1, maximum=86400),
    Variable("MITROO_AGENCY_MAX_CONCURRENT_CALLS", "agency_max_concurrent_calls", Kind.INTEGER,
      "calls of one agency in progress at once, across every worker; beyond it `MP_CONCURRENCY_LIMIT` at once "
      "instead of a queue (0 = no cap)", minimum=0, maximum=10_000),
    Variable("MITROO_CALL_SLOT_LEASE", "call_slot_lease_seconds", Kind.INTEGER,
      "seconds a call's concurrency slot is held at most: the slots of a worker that died free themselves "
      "after it", minimum=1, maximum=86400),
    Variable("MITROO_DB_STATEMENT_TIMEOUT_MS", "db_statement_timeout_ms", Kind.INTEGER,
      "longest a database statement may wait or run (PostgreSQL `statement_timeout`, which covers waiting for "
      "a lock; SQLite's busy timeout); then `MP_SERVICE_UNAVAILABLE`", minimum=10, maximum=3_600_000),
    Variable("MITROO_DB_CONNECT_TIMEOUT", "db_connect_timeout_seconds", Kind.INTEGER,
      "seconds to reach PostgreSQL before `MP_SERVICE_UNAVAILABLE`", minimum=1, maximum=600),
    Variable("MITROO_DB_POOL_SIZE", "db_pool_size", Kind.INTEGER,
      "database connections each worker process keeps (give it at least the `--threads` of `serve`)",
      minimum=1, maximum=200),
    Variable("MITROO_DB_MAX_OVERFLOW", "db_max_overflow", Kind.INTEGER,
      "extra connections a worker may open under a burst, closed again afterwards", minimum=0, maximum=200),
    Variable("MITROO_DB_POOL_TIMEOUT", "db_pool_timeout_seconds", Kind.INTEGER,
      "seconds a call waits for a free connection before it is answered `MP_SERVICE_UNAVAILABLE`",
      minimum=1, maximum=300),
    Variable("MITROO_CONSOLE_HOST", "console_host", Kind.TEXT, "the address the auditor console (`mitroo-audit web`) listens on"),
    Variable("MITROO_CONSOLE_PORT", "console_port", Kind.INTEGER, "the port the auditor console listens on",
      minimum=0, maximum=65535),
    Variable("MITROO_CONSOLE_PUBLIC_URL", "console_public_url", Kind.URL,
      "the console's address as auditors reach it; `https://…` (TLS, directly or at a proxy) makes the "
      "session cookie `Secure`", default="`http://$MITROO_CONSOLE_HOST:$MITROO_CONSOLE_PORT`"),
    Variable("MITROO_CONSOLE_SECRET_KEY_FILE", "console_secret_key_file", Kind.PATH,
      "key that signs the console's session cookies (created 0600 on first start; replace it to end every "
      "session)", default="`$MITROO_DATA_DIR/console-secret.key`"),
    Variable("MITROO_CONSOLE_IDLE_TIMEOUT", "console_idle_seconds", Kind.INTEGER,
      "seconds without a request after which a console session ends", minimum=60, maximum=86400),
    Variable("MITROO_CONSOLE_SESSION_LIFETIME", "console_session_seconds", Kind.INTEGER,
      "seconds after login at which a console session ends however active it is", minimum=300, maximum=7 * 86400),
    Variable("MITROO_CREDENTIAL_KEY_FILE", "credential_key_file", Kind.PATH,
      "key that encrypts PasswordDigest secrets (created 0600 on first use)",
      default="`$MITROO_DATA_DIR/credential.key`"),
    Variable("MITROO_SIGNING_KEY_FILE", "signing_key_file", Kind.PATH,
      "PEM private key that signs every response (may be encrypted)", default="`$MITROO_DATA_DIR/signing-key.pem`"),
    Variable("MITROO_SIGNING_CERT_FILE", "signing_cert_file", Kind.PATH,
      "its X.509 certificate (PEM or DER), sent in every response", default="`$MITROO_DATA_DIR/signing-cert.pem`"),
    Variable("MITROO_SIGNING_PKCS12_FILE", "signing_pkcs12_file", Kind.PATH,
      "a PKCS#12 (.p12/.pfx) holding key and certificate; used instead of the two above when set"),
    Variable("MITROO_SIGNING_KEY_PASSPHRASE", "signing_passphrase", Kind.SECRET,
      "passphrase of the PEM key or PKCS#12 file (never a command-line argument)"),
    Variable("MITROO_SIGNING_KEY_PASSPHRASE_FILE", "signing_passphrase", Kind.SECRET,
      "or a file holding it (one line); set one of the two, not both"),
    Variable("MITROO_SIGNING_NEXT_CERT_FILE", "signing_next_cert_file", Kind.PATH,
      "the next certificate during a rotation: published beside the current one at `/certificates`"),
    Variable("MITROO_SIGNATURE_ALGORITHM", "signature_algorithm", Kind.CHOICE,
      "`rsa-sha256` (RSA ≥ 2048) or `ecdsa-sha256` (P-256); must match the key", choices=SIGNATURE_ALGORITHMS, fold="lower"),
    Variable("MITROO_SIGNATURE_TTL", "signature_ttl_seconds", Kind.INTEGER,
      "seconds between a response's `wsu:Created` and `wsu:Expires`", minimum=10, maximum=86400),
    Variable("MITROO_LOG_LEVEL", "log_level", Kind.CHOICE, "logs are JSON lines on standard error",
      choices=LOG_LEVELS, fold="upper"),
    Variable("MITROO_AUDIT_SEAL_LOG", "audit_seal_log", Kind.PATH,
      "the append-only file where `mitroo-audit seal` writes each seal's signed record and `verify` reads them "
      "([Audit](auditors.md#audit))", default="`$MITROO_DATA_DIR/audit-seals.jsonl`"),
    Variable("MITROO_AUDIT_SEAL_KEY_FILE", "audit_seal_key_file", Kind.PATH,
      "another key (PEM) to sign the seal records with; set it and `MITROO_AUDIT_SEAL_CERT_FILE` or neither",
      default="the signing key"),
    Variable("MITROO_AUDIT_SEAL_CERT_FILE", "audit_seal_cert_file", Kind.PATH, "the certificate of `MITROO_AUDIT_SEAL_KEY_FILE`",
      default="the signing certificate"),
    Variable("MITROO_AUDIT_TSA_URL", "audit_tsa_url", Kind.URL,
      "an RFC 3161 Time-Stamping Authority that timestamps every seal record; needs `MITROO_AUDIT_TSA_CA_FILE`"),
    Variable("MITROO_AUDIT_TSA_CA_FILE", "audit_tsa_ca_file", Kind.PATH,
      "the TSA's CA certificates (PEM) its timestamps are checked against, when sealing and verifying"),
    Variable("MITROO_BENCH_UNSIGNED", "bench_unsigned", Kind.SWITCH,
      "**benchmark only**: answers leave unsigned (`scripts/bench` compares the pipeline without its "
      "signature); refused unless `MITROO_ENVIRONMENT=test`"),
    Variable("MITROO_BENCH_ECHO", "bench_echo", Kind.SWITCH,
      "**benchmark only**: serves `/ws/benchEcho` (spyne alone, no database, audit or signature: the "
      "framework's ceiling); refused unless `MITROO_ENVIRONMENT=test`"),
)


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("var")
    database_url: str = ""
    public_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    environment: str = "test"
    trusted_proxies: tuple[Network, ...] = ()
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
    signature_algorithm: str = "rsa-sha256"
    signature_ttl_seconds: int = 300
    lockout_user_failures: int = 10
    lockout_ip_failures: int = 50
    lockout_window_seconds: int = 300
    lockout_spray_failures: int = 20
    lockout_spray_delay_seconds: int = 30
    lockout_known_days: int = 90
    agency_max_concurrent_calls: int = 8
    call_slot_lease_seconds: int = 120
    db_statement_timeout_ms: int = 10_000
    db_connect_timeout_seconds: int = 3
    console_host: str = "127.0.0.1"
    console_port: int = 8001
    console_public_url: str = ""
    console_secret_key_file: Path = field(default=Path(""))
    console_idle_seconds: int = 900
    console_session_seconds: int = 28800
    db_pool_size: int = 5
    db_max_overflow: int = 5
    db_pool_timeout_seconds: int = 10
    log_level: str = "INFO"
    audit_seal_log: Path = field(default=Path(""))
    audit_seal_key_file: Path | None = None
    audit_seal_cert_file: Path | None = None
    audit_tsa_url: str = ""
    audit_tsa_ca_file: Path | None = None
    front: str = "none"
    front_header_timeout_seconds: int = 10
    front_body_timeout_seconds: int = 10
    front_keepalive_timeout_seconds: int = 15
    front_send_timeout_seconds: int = 30
    front_metrics_allow: tuple[Network, ...] = _LOOPBACK
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    tls_client_ca_file: Path | None = None
    bench_unsigned: bool = False
    bench_echo: bool = False

    def __post_init__(self) -> None:
        if not self.database_url:
            path = (self.data_dir / "mitroo.sqlite3").resolve()
            object.__setattr__(self, "database_url", f"sqlite:///{path}")
        if not self.console_public_url:
            object.__setattr__(self, "console_public_url", f"http://{self.console_host}:{self.console_port}")
        for attr, name in (("credential_key_file", "credential.key"), ("signing_key_file", "signing-key.pem"),
                           ("signing_cert_file", "signing-cert.pem"), ("console_secret_key_file", "console-secret.key"),
                           ("audit_seal_log", "audit-seals.jsonl")):
            if str(getattr(self, attr)) in ("", "."):
                object.__setattr__(self, attr, (self.data_dir / name).resolve())

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
        for variable in VARIABLES:
            raw = env.get(variable.name, "")
            if variable.kind is Kind.SECRET:
                continue  # the passphrase, read by _passphrase below: never kept as text
            if raw == "" or (variable.kind is Kind.NETWORKS and not raw.strip()):
                continue  # unset
            try:
                values[variable.field] = _parse(variable, raw)
            except ValueError as refused:
                errors.append(str(refused))
        errors += _together(env, values)
        passphrase, problem = _passphrase(env)
        if problem:
            errors.append(problem)
        values["signing_passphrase"] = passphrase
        if errors:
            raise SettingsError("invalid configuration:\n  - " + "\n  - ".join(errors))
        return cls(**values)  # type: ignore[arg-type]


def _parse(variable: Variable, raw: str) -> object:
    """The field's value from the variable's text; ValueError with the message a person reads."""
    name = variable.name
    if variable.kind is Kind.INTEGER:
        try:
            number = int(raw)
        except ValueError:
            raise ValueError(f"{name}={raw!r}: must be a whole number") from None
        low, high = variable.minimum, variable.maximum
        if number < low or (high is not None and number > high):
            bound = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise ValueError(f"{name}={raw!r}: must be {bound}")
        return number
    if variable.kind is Kind.CHOICE:
        value = {"upper": raw.upper(), "lower": raw.strip().lower()}.get(variable.fold, raw)
        if value not in variable.choices:
            raise ValueError(f"{name}={raw!r}: must be one of {', '.join(variable.choices)}")
        return value
    if variable.kind is Kind.URL:
        parsed = urlsplit(raw)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"{name}={raw!r}: must be an http:// or https:// URL with a host")
        return raw.rstrip("/")
    if variable.kind is Kind.DATABASE_URL:
        if not raw.startswith(DATABASE_SCHEMES):
            raise ValueError(f"{name}: unsupported scheme in {raw.split(':', 1)[0]!r}; "
                             "use sqlite:///path or postgresql+psycopg://user@host/db")
        return raw
    if variable.kind is Kind.NETWORKS:
        nets = []
        for item in (part.strip() for part in raw.split(",")):
            if item:
                try:
                    nets.append(ipaddress.ip_network(item, strict=False))
                except ValueError:
                    raise ValueError(f"{name}: {item!r} is not an IP address or CIDR network") from None
        return tuple(nets)
    if variable.kind is Kind.SWITCH:
        if raw.lower() not in _TRUE + _FALSE:
            raise ValueError(f"{name}={raw!r}: must be one of {', '.join(_TRUE + _FALSE)}")
        return raw.lower() in _TRUE
    if variable.kind is Kind.PATH:
        return Path(raw)
    return raw


def _together(env: Mapping[str, str], values: Mapping[str, object]) -> list[str]:
    """The rules between variables."""
    errors = []
    if ("audit_seal_key_file" in values) != ("audit_seal_cert_file" in values):
        errors.append("MITROO_AUDIT_SEAL_KEY_FILE and MITROO_AUDIT_SEAL_CERT_FILE go together: set both or neither")
    if env.get("MITROO_AUDIT_TSA_URL") and "audit_tsa_ca_file" not in values:
        errors.append("MITROO_AUDIT_TSA_URL needs MITROO_AUDIT_TSA_CA_FILE (the TSA's CA certificates, PEM), "
                      "to check its timestamps")
    if ("tls_cert_file" in values) != ("tls_key_file" in values):
        errors.append("MITROO_TLS_CERT_FILE and MITROO_TLS_KEY_FILE: set both (HTTPS) or neither")
    if "tls_client_ca_file" in values and "tls_cert_file" not in values:
        errors.append("MITROO_TLS_CLIENT_CA_FILE: client certificates need HTTPS (MITROO_TLS_CERT_FILE and _KEY_FILE)")
    if "tls_cert_file" in values and values.get("front", "none") == "none":
        errors.append("MITROO_TLS_CERT_FILE: HTTPS is served by the front; set MITROO_FRONT=nginx")
    if values.get("environment", "test") != "test":
        for variable in VARIABLES:
            if variable.kind is Kind.SWITCH and values.get(variable.field):
                errors.append(f"{variable.name}: a benchmark-only switch, refused unless MITROO_ENVIRONMENT=test")
    return errors


def _passphrase(env: Mapping[str, str]) -> tuple[bytes | None, str | None]:
    """The key passphrase from MITROO_SIGNING_KEY_PASSPHRASE or _FILE; (value, error message)."""
    value = env.get("MITROO_SIGNING_KEY_PASSPHRASE")
    path = env.get("MITROO_SIGNING_KEY_PASSPHRASE_FILE")
    if value and path:
        return None, "MITROO_SIGNING_KEY_PASSPHRASE and MITROO_SIGNING_KEY_PASSPHRASE_FILE are both set: use one"
    if value:
        return value.encode(), None
    if path:
        try:
            return Path(path).read_bytes().rstrip(b"\r\n"), None
        except OSError as exc:
            return None, f"MITROO_SIGNING_KEY_PASSPHRASE_FILE={path!r}: cannot read it ({exc.strerror})"
    return None, None


def _default(variable: Variable) -> str:
    if variable.default:
        return variable.default
    value = next(f for f in dataclasses.fields(Settings) if f.name == variable.field).default
    if value is None or value == () or value == "":
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, tuple):
        return "`" + ", ".join(str(net.network_address) for net in value) + "`"
    return f"`{value}`"


def markdown_table() -> str:
    """docs/operations.md's configuration table, one row per variable."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for variable in VARIABLES:
        text = variable.text
        if variable.kind is Kind.INTEGER and variable.maximum is not None:
            text += f" ({variable.minimum}–{variable.maximum})"
        elif variable.kind is Kind.INTEGER:
            text += f" (at least {variable.minimum})"
        elif variable.kind is Kind.CHOICE and not text.startswith("`"):
            text = " or ".join(", ".join(f"`{c}`" for c in variable.choices).rsplit(", ", 1)) + "; " + text
        rows.append(f"| `{variable.name}` | {_default(variable)} | {text} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
