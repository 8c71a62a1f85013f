"""X-Road style metaservices on every service: what exists, and what this caller may call."""
from __future__ import annotations

from provider.access.accreditation import METASERVICES, granted_operations
from provider.soap.call import Call


def list_methods(names: list[str]) -> list[str]:
    return sorted(names)


def allowed_methods(call: Call, names: list[str]) -> list[str]:
    assert call.caller is not None
    with call.sessions() as session:
        granted = set(granted_operations(session, call.caller, call.service))
    return sorted(name for name in names if name in granted or name in METASERVICES)
