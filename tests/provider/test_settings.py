"""``Settings.from_env``: safe defaults, every MITROO_* variable parsed, and every bad value
reported by name (all of them together, in one SettingsError)."""
from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from provider.settings import ENVIRONMENTS, Settings, SettingsError


def test_defaults_with_an_empty_environment() -> None:
    settings = Settings.from_env({})
    assert settings.data_dir == Path("var")
    assert settings.database_url == f"sqlite:///{(Path('var') / 'mitroo.sqlite3').resolve()}"
    assert settings.public_url == "http://127.0.0.1:8000"
    assert settings.host == "127.0.0.1"
    assert settings.port == 8000
    assert settings.environment == "test"
    assert settings.trusted_proxies == ()
    assert settings.max_body_bytes == 1_048_576
    assert settings.audit_clock_skew_seconds == 900
    assert settings.digest_max_age_seconds == 300
    assert settings.credential_cache_seconds == 60
    assert settings.credential_key_file == (Path("var") / "credential.key").resolve()


def test_data_dir_places_the_sqlite_database_and_the_credential_key(tmp_path: Path) -> None:
    settings = Settings.from_env({"MITROO_DATA_DIR": str(tmp_path)})
    assert settings.data_dir == tmp_path
    assert settings.database_url == f"sqlite:///{(tmp_path / 'mitroo.sqlite3').resolve()}"
    assert settings.database_url.startswith("sqlite:////")  # an absolute path
    assert settings.credential_key_file == tmp_path / "credential.key"


def test_empty_values_count_as_unset() -> None:
    names = (
        "MITROO_DATA_DIR", "MITROO_DATABASE_URL", "MITROO_PUBLIC_URL", "MITROO_HOST", "MITROO_PORT",
        "MITROO_ENVIRONMENT", "MITROO_TRUSTED_PROXIES", "MITROO_MAX_BODY_BYTES", "MITROO_AUDIT_CLOCK_SKEW",
        "MITROO_DIGEST_MAX_AGE", "MITROO_CREDENTIAL_CACHE_SECONDS", "MITROO_CREDENTIAL_KEY_FILE",
    )
    assert Settings.from_env({name: "" for name in names}) == Settings.from_env({})


def test_every_variable_is_parsed(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "MITROO_DATA_DIR": str(tmp_path / "data"),
            "MITROO_DATABASE_URL": "postgresql+psycopg://mitroo@db.example/mitroo",
            "MITROO_PUBLIC_URL": "https://ked.example.gr/mitroo/",
            "MITROO_HOST": "0.0.0.0",
            "MITROO_PORT": "8443",
            "MITROO_ENVIRONMENT": "production",
            "MITROO_TRUSTED_PROXIES": "10.0.0.1, 192.168.0.0/16,,2001:db8::/32",
            "MITROO_MAX_BODY_BYTES": "2048",
            "MITROO_AUDIT_CLOCK_SKEW": "60",
            "MITROO_DIGEST_MAX_AGE": "120",
            "MITROO_CREDENTIAL_CACHE_SECONDS": "0",
            "MITROO_CREDENTIAL_KEY_FILE": str(tmp_path / "secret" / "key"),
            "UNRELATED": "ignored",
        }
    )
    assert settings.data_dir == tmp_path / "data"
    assert settings.database_url == "postgresql+psycopg://mitroo@db.example/mitroo"
    assert settings.public_url == "https://ked.example.gr/mitroo"  # trailing slash dropped
    assert settings.host == "0.0.0.0"
    assert settings.port == 8443
    assert settings.environment == "production"
    assert settings.trusted_proxies == (
        ipaddress.ip_network("10.0.0.1/32"),
        ipaddress.ip_network("192.168.0.0/16"),
        ipaddress.ip_network("2001:db8::/32"),
    )
    assert settings.max_body_bytes == 2048
    assert settings.audit_clock_skew_seconds == 60
    assert settings.digest_max_age_seconds == 120
    assert settings.credential_cache_seconds == 0
    assert settings.credential_key_file == tmp_path / "secret" / "key"


def test_sqlite_url_and_host_network_and_port_zero_are_accepted(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    settings = Settings.from_env({"MITROO_DATABASE_URL": url, "MITROO_PORT": "0", "MITROO_TRUSTED_PROXIES": "10.1.2.3/8"})
    assert settings.database_url == url
    assert settings.port == 0  # 0: pick a free port
    assert settings.trusted_proxies == (ipaddress.ip_network("10.0.0.0/8"),)  # host bits tolerated


def test_the_abuse_and_fault_limits(tmp_path: Path) -> None:
    defaults = Settings.from_env({})
    assert (defaults.agency_max_concurrent_calls, defaults.call_slot_lease_seconds) == (8, 120)
    assert (defaults.db_statement_timeout_ms, defaults.db_connect_timeout_seconds) == (10_000, 3)
    settings = Settings.from_env({"MITROO_AGENCY_MAX_CONCURRENT_CALLS": "0", "MITROO_CALL_SLOT_LEASE": "30",
                                  "MITROO_DB_STATEMENT_TIMEOUT_MS": "250", "MITROO_DB_CONNECT_TIMEOUT": "1"})
    assert (settings.agency_max_concurrent_calls, settings.call_slot_lease_seconds) == (0, 30)  # 0: no cap
    assert (settings.db_statement_timeout_ms, settings.db_connect_timeout_seconds) == (250, 1)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_both_environments_are_accepted(environment: str) -> None:
    assert Settings.from_env({"MITROO_ENVIRONMENT": environment}).environment == environment


@pytest.mark.parametrize(
    ("variable", "value", "reason"),
    [
        ("MITROO_PORT", "abc", "whole number"),
        ("MITROO_PORT", "-1", "between 0 and 65535"),
        ("MITROO_MAX_BODY_BYTES", "10", "at least 1024"),
        ("MITROO_MAX_BODY_BYTES", "1.5", "whole number"),
        ("MITROO_AUDIT_CLOCK_SKEW", "0", "at least 1"),
        ("MITROO_DIGEST_MAX_AGE", "0", "at least 1"),
        ("MITROO_CREDENTIAL_CACHE_SECONDS", "-5", "at least 0"),
        ("MITROO_ENVIRONMENT", "staging", "must be one of test, production"),
        ("MITROO_TRUSTED_PROXIES", "not-an-ip", "'not-an-ip' is not an IP address"),
        ("MITROO_TRUSTED_PROXIES", "10.0.0.1,10.0.0.300", "'10.0.0.300' is not an IP address"),
        ("MITROO_PUBLIC_URL", "ftp://x", "http:// or https:// URL with a host"),
        ("MITROO_PUBLIC_URL", "http://", "http:// or https:// URL with a host"),
        ("MITROO_PORT", "70000", "between 0 and 65535"),
        ("MITROO_DATABASE_URL", "mysql://x", "unsupported scheme in 'mysql'"),
        ("MITROO_AGENCY_MAX_CONCURRENT_CALLS", "-1", "between 0 and 10000"),
        ("MITROO_CALL_SLOT_LEASE", "0", "between 1 and 86400"),
        ("MITROO_DB_STATEMENT_TIMEOUT_MS", "5", "between 10 and 3600000"),
        ("MITROO_DB_CONNECT_TIMEOUT", "zero", "whole number"),
        ("MITROO_FRONT", "apache", "must be one of none, nginx"),
        ("MITROO_FRONT_HEADER_TIMEOUT", "0", "between 1 and 3600"),
        ("MITROO_FRONT_BODY_TIMEOUT", "x", "whole number"),
        ("MITROO_FRONT_METRICS_ALLOW", "everyone", "'everyone' is not an IP address"),
    ],
)
def test_an_invalid_value_is_refused_by_name(variable: str, value: str, reason: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({variable: value})
    message = str(caught.value)
    assert variable in message
    assert reason in message
    assert isinstance(caught.value, ValueError)
    assert message.count("\n  - ") == 1


def test_every_bad_setting_is_reported_together() -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"MITROO_PORT": "abc", "MITROO_ENVIRONMENT": "staging", "MITROO_HOST": "0.0.0.0"})
    message = str(caught.value)
    assert message.startswith("invalid configuration:")
    assert "MITROO_PORT='abc': must be a whole number" in message
    assert "MITROO_ENVIRONMENT='staging': must be one of test, production" in message
    assert message.count("\n  - ") == 2
    assert "MITROO_HOST" not in message


def test_without_a_mapping_the_process_environment_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MITROO_PORT", "9001")
    monkeypatch.setenv("MITROO_ENVIRONMENT", "production")
    settings = Settings.from_env()
    assert (settings.port, settings.environment) == (9001, "production")
    monkeypatch.setenv("MITROO_PORT", "nine")
    with pytest.raises(SettingsError, match="MITROO_PORT"):
        Settings.from_env()


def test_the_console_settings(tmp_path: Path) -> None:
    default = Settings.from_env({"MITROO_DATA_DIR": str(tmp_path)})
    assert (default.console_host, default.console_port, default.console_idle_seconds) == ("127.0.0.1", 8001, 900)
    assert default.console_secret_key_file == tmp_path / "console-secret.key"
    assert default.console_public_url == "http://127.0.0.1:8001" and default.console_secure_cookies is False
    assert Settings.from_env({"MITROO_CONSOLE_PORT": "9001"}).console_public_url == "http://127.0.0.1:9001"
    chosen = Settings.from_env({"MITROO_CONSOLE_HOST": "10.0.0.5", "MITROO_CONSOLE_PORT": "9443",
                                "MITROO_CONSOLE_PUBLIC_URL": "https://audit.example.gr/",
                                "MITROO_CONSOLE_SECRET_KEY_FILE": str(tmp_path / "k"),
                                "MITROO_CONSOLE_IDLE_TIMEOUT": "600"})
    assert (chosen.console_host, chosen.console_port, chosen.console_idle_seconds) == ("10.0.0.5", 9443, 600)
    assert chosen.console_public_url == "https://audit.example.gr" and chosen.console_secure_cookies
    assert chosen.console_secret_key_file == tmp_path / "k"
    with pytest.raises(SettingsError) as bad:
        Settings.from_env({"MITROO_CONSOLE_PORT": "web", "MITROO_CONSOLE_IDLE_TIMEOUT": "5",
                           "MITROO_CONSOLE_PUBLIC_URL": "audit.example.gr"})
    for name in ("MITROO_CONSOLE_PORT", "MITROO_CONSOLE_IDLE_TIMEOUT", "MITROO_CONSOLE_PUBLIC_URL"):
        assert name in str(bad.value)


def test_serving_settings_have_defaults_and_are_parsed() -> None:
    defaults = Settings.from_env({})
    assert (defaults.db_pool_size, defaults.db_max_overflow, defaults.db_pool_timeout_seconds) == (5, 5, 10)
    assert defaults.log_level == "INFO" and not defaults.bench_unsigned and not defaults.bench_echo
    settings = Settings.from_env({"MITROO_DB_POOL_SIZE": "8", "MITROO_DB_MAX_OVERFLOW": "0",
                                  "MITROO_DB_POOL_TIMEOUT": "3", "MITROO_LOG_LEVEL": "warning",
                                  "MITROO_BENCH_UNSIGNED": "off", "MITROO_BENCH_ECHO": "yes"})
    assert (settings.db_pool_size, settings.db_max_overflow, settings.db_pool_timeout_seconds) == (8, 0, 3)
    assert settings.log_level == "WARNING" and not settings.bench_unsigned and settings.bench_echo


def test_bad_serving_settings_are_each_named() -> None:
    with pytest.raises(SettingsError) as error:
        Settings.from_env({"MITROO_DB_POOL_SIZE": "0", "MITROO_DB_MAX_OVERFLOW": "many", "MITROO_DB_POOL_TIMEOUT": "301",
                           "MITROO_LOG_LEVEL": "loud", "MITROO_BENCH_ECHO": "perhaps"})
    message = str(error.value)
    assert "MITROO_DB_POOL_SIZE='0': must be between 1 and 200" in message
    assert "MITROO_DB_MAX_OVERFLOW='many': must be a whole number" in message
    assert "MITROO_DB_POOL_TIMEOUT='301': must be between 1 and 300" in message
    assert "MITROO_LOG_LEVEL='loud': must be one of DEBUG, INFO, WARNING, ERROR" in message
    assert "MITROO_BENCH_ECHO='perhaps': must be one of 1, true, yes, on, 0, false, no, off" in message


def test_tls_is_served_by_the_front_and_client_certificates_need_tls() -> None:
    tls = {"MITROO_TLS_CERT_FILE": "/etc/tls.pem", "MITROO_TLS_KEY_FILE": "/etc/tls-key.pem"}
    with pytest.raises(SettingsError, match="HTTPS is served by the front; set MITROO_FRONT=nginx"):
        Settings.from_env(tls)
    with pytest.raises(SettingsError, match=r"MITROO_TLS_CERT_FILE and MITROO_TLS_KEY_FILE: set both \(HTTPS\) or neither"):
        Settings.from_env({"MITROO_FRONT": "nginx", "MITROO_TLS_CERT_FILE": "/etc/tls.pem"})
    with pytest.raises(SettingsError, match="client certificates need HTTPS"):
        Settings.from_env({"MITROO_FRONT": "nginx", "MITROO_TLS_CLIENT_CA_FILE": "/etc/ca.pem"})
    settings = Settings.from_env({"MITROO_FRONT": "nginx", "MITROO_TLS_CLIENT_CA_FILE": "/etc/ca.pem", **tls})
    assert settings.tls and settings.tls_client_ca_file == Path("/etc/ca.pem")
    assert [str(net) for net in settings.front_metrics_allow] == ["127.0.0.1/32", "::1/128"]
    assert not Settings.from_env({}).tls and Settings.from_env({}).front == "none"
