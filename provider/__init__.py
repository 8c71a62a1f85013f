"""Mitroo Politon interoperability provider (KED model).

spyne 2.14.0, the SOAP engine, does not import on Python 3.12 or later, so the
provider refuses to start on anything but 3.11 with a message that says so.
"""
import sys

if sys.version_info[:2] != (3, 11):  # pragma: no cover - exercised by running on another Python
    raise SystemExit(
        "mitroo-provider needs Python 3.11 (found %d.%d): spyne 2.14.0, its SOAP engine, "
        "does not import on Python 3.12 or later. Install python3.11 and recreate .venv."
        % sys.version_info[:2]
    )

__version__ = "0.1.0"
