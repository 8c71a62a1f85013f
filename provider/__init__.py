"""Mitroo Politon interoperability provider (KED model).

Runs on Python 3.11, 3.12 and 3.13 (spyne, the SOAP engine, through provider/compat.py on the
two newer ones); the package refuses any other version with a message that says so.
"""
import sys

SUPPORTED_PYTHONS = ((3, 11), (3, 12), (3, 13))

if sys.version_info[:2] not in SUPPORTED_PYTHONS:  # pragma: no cover - exercised by running on another Python
    raise SystemExit(
        "mitroo-provider needs Python %s (found %d.%d). Install one of them and recreate .venv."
        % (", ".join("%d.%d" % v for v in SUPPORTED_PYTHONS), *sys.version_info[:2])
    )

__version__ = "0.1.0"
