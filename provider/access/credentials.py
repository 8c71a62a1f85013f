"""Password storage: a slow Argon2id hash for every WS user, plus, only for users allowed to
use PasswordDigest, the password encrypted with the provider's credential key (a digest can
only be checked against the cleartext). The key lives in a file readable by the provider only."""
from __future__ import annotations

import os
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken

_HASHER = PasswordHasher()

MIN_PASSWORD_LENGTH = 12


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Why ``password`` is not acceptable for a WS user, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password must be at least {MIN_PASSWORD_LENGTH} characters"
    if password.strip() != password:
        return "the password must not start or end with whitespace"
    return None


class CredentialKey:
    """The symmetric key that protects PasswordDigest secrets; created on first use (mode 0600)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fernet: Fernet | None = None

    def _load(self) -> Fernet:
        if self._fernet is None:
            if not self.path.exists():
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(Fernet.generate_key())
            self._fernet = Fernet(self.path.read_bytes().strip())
        return self._fernet

    def encrypt(self, password: str) -> bytes:
        return self._load().encrypt(password.encode())

    def decrypt(self, secret: bytes) -> str | None:
        try:
            return self._load().decrypt(secret).decode()
        except InvalidToken:
            return None
