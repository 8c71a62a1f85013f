"""The provider's signing key and certificate (docs/design.md §8 Signing): loading, checking, development keys.

Keys are loaded at start-up (``KeyStore``), never read per request: before each signature only the
files' identity is checked (one stat each), and the key is read again when they changed (a rotation
takes effect without a restart). While the files cannot be read or hold no valid key, the store
refuses, and the provider answers faults rather than unsigned data. Production keys come from PEM files (an
optionally encrypted private key and its certificate) or from one PKCS#12 file; a passphrase
comes from ``MITROO_SIGNING_KEY_PASSPHRASE`` or a file named by
``MITROO_SIGNING_KEY_PASSPHRASE_FILE``, never from the command line. ``load_signing_key`` refuses
a missing or unreadable key, a key that does not match its certificate, a certificate that is
expired or not yet valid, and a key of another kind than the configured algorithm.
"""
from __future__ import annotations

import datetime as dt
import enum
import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from provider.settings import Settings

EXPIRY_WARNING_DAYS = 30


class SignatureAlgorithm(enum.Enum):
    """The response signature algorithms the provider offers (XML-DSig URIs)."""

    RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    ECDSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"

    @property
    def setting(self) -> str:
        return self.name.lower().replace("_", "-")

    @classmethod
    def from_setting(cls, value: str) -> SignatureAlgorithm:
        for algorithm in cls:
            if algorithm.setting == value.strip().lower():
                return algorithm
        raise ValueError(f"{value!r}: must be one of {', '.join(a.setting for a in cls)}")

    def accepts(self, key: object) -> bool:
        if self is SignatureAlgorithm.RSA_SHA256:
            return isinstance(key, rsa.RSAPrivateKey) and key.key_size >= 2048
        return isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1)

    @property
    def key_description(self) -> str:
        return "an RSA key of 2048 bits or more" if self is SignatureAlgorithm.RSA_SHA256 else "an ECDSA P-256 key"


class KeyConfigError(Exception):
    """The signing key or certificate cannot be used; the message says which file and why."""


@dataclass(frozen=True)
class KeySource:
    """Where the signing key comes from: PEM files, or a PKCS#12 file (which wins when set)."""

    key_file: Path
    cert_file: Path
    pkcs12_file: Path | None = None
    passphrase: bytes | None = None  # from the environment or a file, never the command line
    algorithm: SignatureAlgorithm = SignatureAlgorithm.RSA_SHA256
    next_cert_file: Path | None = None


@dataclass(frozen=True)
class SigningKey:
    private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    algorithm: SignatureAlgorithm
    next_certificate: x509.Certificate | None = None

    @property
    def certificate_der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    def days_left(self, now: dt.datetime | None = None) -> int:
        now = now or dt.datetime.now(dt.UTC)
        return (self.certificate.not_valid_after_utc - now).days

    def expiry_warning(self, now: dt.datetime | None = None) -> str | None:
        days = self.days_left(now)
        if days < EXPIRY_WARNING_DAYS:
            return (
                f"the signing certificate expires in {days} days "
                f"({self.certificate.not_valid_after_utc:%Y-%m-%d}): install its successor"
            )
        return None

    def published_pem(self) -> bytes:
        """The current certificate, then the next one during a rotation (served at /certificates)."""
        certificates = [self.certificate] + ([self.next_certificate] if self.next_certificate else [])
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


def sha256_hex(certificate: x509.Certificate) -> str:
    """The SHA-256 of the certificate's DER, lower-case hex: how a seal record names its signer and
    a WS user is bound to a client certificate."""
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 fingerprint in the colon-separated form openssl prints."""
    digest = sha256_hex(certificate).upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def signing_source(settings: Settings) -> KeySource:
    """The key that signs every answer, as the settings name it."""
    return KeySource(
        key_file=settings.signing_key_file,
        cert_file=settings.signing_cert_file,
        pkcs12_file=settings.signing_pkcs12_file,
        passphrase=settings.signing_passphrase,
        algorithm=SignatureAlgorithm.from_setting(settings.signature_algorithm),
        next_cert_file=settings.signing_next_cert_file,
    )


def seal_source(settings: Settings) -> KeySource:
    """The key that signs the audit seal records: the signing key unless another is configured."""
    if settings.audit_seal_key_file is None or settings.audit_seal_cert_file is None:
        return signing_source(settings)
    return KeySource(key_file=settings.audit_seal_key_file, cert_file=settings.audit_seal_cert_file,
                     passphrase=settings.signing_passphrase,
                     algorithm=SignatureAlgorithm.from_setting(settings.signature_algorithm))


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise KeyConfigError(
            f"{what} {path} does not exist: set the MITROO_SIGNING_* settings, or run "
            "`mitroo-provider keys dev-generate` for a development key"
        ) from None
    except OSError as exc:
        raise KeyConfigError(f"{what} {path} cannot be read: {exc.strerror}") from None


def _certificate(path: Path, what: str = "signing certificate") -> x509.Certificate:
    data = _read(path, what)
    try:
        return x509.load_pem_x509_certificate(data)
    except ValueError:
        try:
            return x509.load_der_x509_certificate(data)
        except ValueError:
            raise KeyConfigError(f"{what} {path} is not a PEM or DER X.509 certificate") from None


def _private_key(path: Path, passphrase: bytes | None) -> PrivateKeyTypes:
    data = _read(path, "signing key")
    try:
        return serialization.load_pem_private_key(data, password=passphrase)
    except TypeError:
        if passphrase is None:
            raise KeyConfigError(
                f"signing key {path} is encrypted: give its passphrase in MITROO_SIGNING_KEY_PASSPHRASE "
                "or MITROO_SIGNING_KEY_PASSPHRASE_FILE"
            ) from None
        raise KeyConfigError(f"signing key {path} is not encrypted, but a passphrase was given") from None
    except ValueError:
        raise KeyConfigError(
            f"signing key {path} cannot be loaded: not a PEM private key, or the passphrase is wrong"
        ) from None


def _from_pkcs12(path: Path, passphrase: bytes | None) -> tuple[PrivateKeyTypes, x509.Certificate]:
    data = _read(path, "PKCS#12 file")
    try:
        key, certificate, _chain = pkcs12.load_key_and_certificates(data, passphrase)
    except ValueError:
        raise KeyConfigError(
            f"PKCS#12 file {path} cannot be opened: the passphrase is wrong or missing, or the file is damaged"
        ) from None
    if key is None or certificate is None:
        raise KeyConfigError(f"PKCS#12 file {path} must hold both the private key and its certificate")
    return key, certificate


def _public_der(key: PublicKeyTypes) -> bytes:
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_signing_key(source: KeySource, now: dt.datetime | None = None) -> SigningKey:
    """Load and check the signing key; raise KeyConfigError with an actionable message."""
    now = now or dt.datetime.now(dt.UTC)
    if source.pkcs12_file is not None:
        key, certificate = _from_pkcs12(source.pkcs12_file, source.passphrase)
        origin = str(source.pkcs12_file)
    else:
        key = _private_key(source.key_file, source.passphrase)
        certificate = _certificate(source.cert_file)
        origin = f"{source.key_file} and {source.cert_file}"
    if not source.algorithm.accepts(key):
        raise KeyConfigError(
            f"MITROO_SIGNATURE_ALGORITHM={source.algorithm.setting} needs {source.algorithm.key_description}; "
            f"{origin} holds another kind of key"
        )
    if _public_der(key.public_key()) != _public_der(certificate.public_key()):
        raise KeyConfigError(f"the signing key does not match its certificate ({origin})")
    if certificate.not_valid_after_utc <= now:
        raise KeyConfigError(
            f"the signing certificate expired on {certificate.not_valid_after_utc:%Y-%m-%d %H:%M} UTC ({origin})"
        )
    if certificate.not_valid_before_utc > now:
        raise KeyConfigError(
            f"the signing certificate is not valid before {certificate.not_valid_before_utc:%Y-%m-%d %H:%M} UTC "
            f"({origin})"
        )
    next_certificate = None
    if source.next_cert_file is not None:
        next_certificate = _certificate(source.next_cert_file, "next signing certificate")
        if next_certificate.not_valid_after_utc <= now:
            raise KeyConfigError(f"the next signing certificate {source.next_cert_file} has already expired")
    return SigningKey(key, certificate, source.algorithm, next_certificate)  # type: ignore[arg-type]


class KeyStore:
    """The signing key as its files hold it now, the way a session on an HSM would: ``current()``
    checks the files' identity (inode, size, modification and change times) on every call, reads the
    key again when they changed, and raises KeyConfigError while a file is missing, unreadable or
    holds no valid key (the previous key is not used then), or once the certificate has expired."""

    def __init__(self, source: KeySource) -> None:
        self.source = source
        self._lock = threading.Lock()
        self._key = load_signing_key(source)
        self._stamp = self._files_stamp()

    def _paths(self) -> tuple[Path, ...]:
        source = self.source
        paths = (source.pkcs12_file,) if source.pkcs12_file is not None else (source.key_file, source.cert_file)
        return paths + ((source.next_cert_file,) if source.next_cert_file is not None else ())

    def _files_stamp(self) -> tuple[tuple[int, int, int, int], ...]:
        stamp = []
        for path in self._paths():
            try:
                status = os.stat(path)
            except OSError as exc:
                raise KeyConfigError(f"signing key file {path} cannot be read: {exc.strerror}") from None
            stamp.append((status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns))
        return tuple(stamp)

    def current(self, now: dt.datetime | None = None) -> SigningKey:
        stamp = self._files_stamp()
        with self._lock:
            if stamp != self._stamp:
                self._key = load_signing_key(self.source, now)  # raises: the stale key is not used
                self._stamp = stamp
            key = self._key
        if key.certificate.not_valid_after_utc <= (now or dt.datetime.now(dt.UTC)):
            expired = key.certificate.not_valid_after_utc
            raise KeyConfigError(f"the signing certificate expired on {expired:%Y-%m-%d %H:%M} UTC")
        return key


def generate_development_key(
    key_file: Path,
    cert_file: Path,
    algorithm: SignatureAlgorithm = SignatureAlgorithm.RSA_SHA256,
    days: int = 365,
    common_name: str = "Mitroo Politon provider (development)",
    now: dt.datetime | None = None,
) -> x509.Certificate:
    """Write a new private key (mode 0600) and a self-signed certificate for it."""
    now = now or dt.datetime.now(dt.UTC)
    if algorithm is SignatureAlgorithm.RSA_SHA256:
        key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = rsa.generate_private_key(65537, 2048)
    else:
        key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "GR"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Mitroo Politon (development)"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                          encipher_only=False, decipher_only=False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    key_file.parent.mkdir(parents=True, exist_ok=True)
    cert_file.parent.mkdir(parents=True, exist_ok=True)
    pem_key = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem_key)
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return certificate
