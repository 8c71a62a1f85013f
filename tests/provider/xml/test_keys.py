"""Signing keys: PEM and PKCS#12 loading, passphrases from the environment or a file, every
refusal with a clear message, the expiry warning, and the ``keys`` CLI and ``serve`` refusing to
start without a usable key."""
from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from provider.settings import Settings, SettingsError
from provider.xml.keys import (
    KeyConfigError,
    KeySource,
    SignatureAlgorithm,
    fingerprint,
    generate_development_key,
    load_signing_key,
    signing_source,
)
from tests.conftest import KeyFiles, signing_key_files
from tests.provider.test_cli import base_env, run

PASSPHRASE = b"a long signing passphrase 2026"
NOW = dt.datetime.now(dt.UTC)


def _private_key(files: KeyFiles) -> object:
    return serialization.load_pem_private_key(files.key.read_bytes(), None)


def _encrypted_pem(files: KeyFiles, target: Path) -> Path:
    key = _private_key(files)
    target.write_bytes(key.private_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PASSPHRASE)))
    return target


def _pkcs12(files: KeyFiles, target: Path) -> Path:
    certificate = x509.load_pem_x509_certificate(files.cert.read_bytes())
    target.write_bytes(pkcs12.serialize_key_and_certificates(
        b"mitroo", _private_key(files), certificate, None,  # type: ignore[arg-type]
        serialization.BestAvailableEncryption(PASSPHRASE)))
    return target


@pytest.mark.parametrize("algorithm", list(SignatureAlgorithm))
def test_development_keys_load_for_their_algorithm(algorithm: SignatureAlgorithm) -> None:
    files = signing_key_files(algorithm)
    key = load_signing_key(KeySource(files.key, files.cert, algorithm=algorithm))
    assert key.algorithm is algorithm and key.expiry_warning() is None
    assert stat.S_IMODE(files.key.stat().st_mode) == 0o600
    assert key.published_pem() == files.cert.read_bytes()


def test_an_encrypted_pem_key_loads_with_its_passphrase(tmp_path: Path) -> None:
    files = signing_key_files()
    encrypted = _encrypted_pem(files, tmp_path / "encrypted.pem")
    key = load_signing_key(KeySource(encrypted, files.cert, passphrase=PASSPHRASE))
    assert fingerprint(key.certificate) == fingerprint(x509.load_pem_x509_certificate(files.cert.read_bytes()))


@pytest.mark.parametrize("how", ["environment", "file"])
def test_pkcs12_with_the_passphrase_from_the_environment_or_a_file(tmp_path: Path, how: str) -> None:
    bundle = _pkcs12(signing_key_files(), tmp_path / "provider.p12")
    env = {"MITROO_DATA_DIR": str(tmp_path), "MITROO_SIGNING_PKCS12_FILE": str(bundle)}
    if how == "environment":
        env["MITROO_SIGNING_KEY_PASSPHRASE"] = PASSPHRASE.decode()
    else:
        (tmp_path / "passphrase").write_bytes(PASSPHRASE + b"\n")
        env["MITROO_SIGNING_KEY_PASSPHRASE_FILE"] = str(tmp_path / "passphrase")
    settings = Settings.from_env(env)
    assert PASSPHRASE.decode() not in repr(settings)
    assert load_signing_key(signing_source(settings)).certificate is not None


def _expired(tmp_path: Path) -> KeyFiles:
    files = KeyFiles(tmp_path / "old-key.pem", tmp_path / "old-cert.pem")
    generate_development_key(files.key, files.cert, days=30, now=NOW - dt.timedelta(days=31))
    return files


def _future(tmp_path: Path) -> KeyFiles:
    files = KeyFiles(tmp_path / "future-key.pem", tmp_path / "future-cert.pem")
    generate_development_key(files.key, files.cert, now=NOW + dt.timedelta(days=2))
    return files


REFUSALS = {
    "missing key": (lambda t: KeySource(t / "absent.pem", signing_key_files().cert), "does not exist.*dev-generate"),
    "unreadable key": (lambda t: KeySource(t, signing_key_files().cert), "cannot be read"),
    "not a key": (lambda t: KeySource(signing_key_files().cert, signing_key_files().cert), "not a PEM private key"),
    "not a certificate": (lambda t: KeySource(signing_key_files().key, signing_key_files().key), "not a PEM or DER"),
    "key of another certificate": (
        lambda t: KeySource(signing_key_files().key, signing_key_files(name="attacker").cert), "does not match"),
    "expired certificate": (lambda t: KeySource(_expired(t).key, _expired(t).cert), "expired on"),
    "certificate not yet valid": (lambda t: KeySource(_future(t).key, _future(t).cert), "not valid before"),
    "RSA key for ECDSA": (
        lambda t: KeySource(signing_key_files().key, signing_key_files().cert, algorithm=SignatureAlgorithm.ECDSA_SHA256),
        "needs an ECDSA P-256 key"),
    "encrypted key without passphrase": (
        lambda t: KeySource(_encrypted_pem(signing_key_files(), t / "e.pem"), signing_key_files().cert), "is encrypted"),
    "encrypted key, wrong passphrase": (
        lambda t: KeySource(_encrypted_pem(signing_key_files(), t / "e.pem"), signing_key_files().cert,
                            passphrase=b"wrong"), "passphrase is wrong"),
    "PKCS#12, wrong passphrase": (
        lambda t: KeySource(t, t, pkcs12_file=_pkcs12(signing_key_files(), t / "p.p12"), passphrase=b"wrong"),
        "passphrase is wrong"),
    "expired next certificate": (
        lambda t: KeySource(signing_key_files().key, signing_key_files().cert, next_cert_file=_expired(t).cert),
        "next signing certificate.*expired"),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_unusable_keys_are_refused_with_a_clear_message(case: str, tmp_path: Path) -> None:
    make_source, message = REFUSALS[case]
    with pytest.raises(KeyConfigError, match=message):
        load_signing_key(make_source(tmp_path))


def test_a_certificate_near_its_end_warns(tmp_path: Path) -> None:
    files = KeyFiles(tmp_path / "k.pem", tmp_path / "c.pem")
    generate_development_key(files.key, files.cert, days=10)
    key = load_signing_key(KeySource(files.key, files.cert))
    assert key.days_left() == 9
    assert "expires in 9 days" in (key.expiry_warning() or "")


def test_rotation_publishes_both_certificates() -> None:
    current, following = signing_key_files(), signing_key_files(name="attacker")
    key = load_signing_key(KeySource(current.key, current.cert, next_cert_file=following.cert))
    assert key.published_pem() == current.cert.read_bytes() + following.cert.read_bytes()


@pytest.mark.parametrize("env, message", [
    ({"MITROO_SIGNATURE_ALGORITHM": "dsa"}, "MITROO_SIGNATURE_ALGORITHM='dsa'"),
    ({"MITROO_SIGNATURE_TTL": "5"}, "MITROO_SIGNATURE_TTL"),
    ({"MITROO_SIGNING_KEY_PASSPHRASE": "x", "MITROO_SIGNING_KEY_PASSPHRASE_FILE": "/etc/hostname"}, "both set"),
    ({"MITROO_SIGNING_KEY_PASSPHRASE_FILE": "/nonexistent/passphrase"}, "cannot read it"),
])
def test_bad_signing_settings_are_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


# -- the CLI --------------------------------------------------------------------------------


@pytest.mark.slow
def test_keys_dev_generate_show_and_refuse_to_overwrite(tmp_path: Path) -> None:
    env = base_env(MITROO_DATA_DIR=str(tmp_path))
    made = run(env, "keys", "dev-generate", "--algorithm", "ecdsa-sha256", "--days", "90")
    assert made.returncode == 0, made.stderr
    assert "MITROO_SIGNATURE_ALGORITHM=ecdsa-sha256" in made.stdout
    assert stat.S_IMODE((tmp_path / "signing-key.pem").stat().st_mode) == 0o600
    again = run(env, "keys", "dev-generate")
    assert again.returncode != 0 and "--force" in again.stderr
    shown = run({**env, "MITROO_SIGNATURE_ALGORITHM": "ecdsa-sha256"}, "keys", "show")
    assert shown.returncode == 0, shown.stderr
    assert "ecdsa-sha256, 89 days left" in shown.stdout and "SHA-256 " in shown.stdout
    mismatched = run(env, "keys", "show")  # the default algorithm is RSA
    assert mismatched.returncode != 0 and "needs an RSA key" in mismatched.stderr
    assert "Traceback" not in mismatched.stderr


@pytest.mark.parametrize("problem", ["no key", "expired"])
@pytest.mark.slow
def test_serve_refuses_to_start_without_a_usable_key(tmp_path: Path, problem: str) -> None:
    env = base_env(MITROO_DATA_DIR=str(tmp_path), MITROO_PORT="0")
    assert run(env, "db", "upgrade").returncode == 0
    if problem == "expired":
        generate_development_key(tmp_path / "signing-key.pem", tmp_path / "signing-cert.pem",
                                 days=1, now=NOW - dt.timedelta(days=2))
    result = run(env, "serve")
    assert result.returncode != 0
    assert "cannot start" in result.stderr and "Traceback" not in result.stderr
    assert ("dev-generate" if problem == "no key" else "expired on") in result.stderr
    assert "listening" not in result.stdout


def test_the_key_store_follows_its_files(tmp_path: Path) -> None:
    """KeyStore (what the running provider signs with): the files are the truth. Gone or damaged:
    KeyConfigError, the old key is not used; put back, or replaced in place by another valid pair:
    the key on disk is used, without a restart."""
    import os
    import shutil

    from provider.xml.keys import KeyStore

    first, second = tmp_path / "first", tmp_path / "second"
    for directory in (first, second):
        directory.mkdir()
        generate_development_key(directory / "key.pem", directory / "cert.pem")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    shutil.copy(first / "key.pem", key)
    shutil.copy(first / "cert.pem", cert)
    store = KeyStore(KeySource(key, cert))
    original = store.current().certificate
    key.rename(tmp_path / "away.pem")
    with pytest.raises(KeyConfigError, match="cannot be read"):
        store.current()
    (tmp_path / "away.pem").rename(key)
    assert store.current().certificate == original
    key.write_bytes(b"not a key")
    with pytest.raises(KeyConfigError, match="cannot be loaded"):
        store.current()
    shutil.copy(second / "key.pem", key)
    with pytest.raises(KeyConfigError, match="does not match"):  # the new key with the old certificate
        store.current()
    shutil.copy(second / "cert.pem", cert)
    os.utime(cert)
    assert store.current().certificate == load_signing_key(KeySource(second / "key.pem", second / "cert.pem")).certificate
