"""Who may call what: accreditation, credentials, lockout, concurrency caps and quotas, the client's
address and TLS facts, the operator's admin functions."""
