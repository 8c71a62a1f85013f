"""The SOAP edge: the gateway and its per-call state, faults, metaservices, the contract export and the
spyne services; the only package that imports spyne (an import-linter contract holds it so).

Importing this package first imports ``provider.compat``, which lets spyne 2.14 import on Python 3.12
and 3.13: Python runs a package's ``__init__`` before any of its modules, so no module here can
import spyne before the shim is in place.
"""
from provider import compat  # noqa: F401
