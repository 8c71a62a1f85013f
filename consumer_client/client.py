"""``MitrooClient``: one typed method per operation of every service the provider exposes."""
from __future__ import annotations

from consumer_client.registry_parameters import Metaservices, RegistryParameters


class MitrooClient(RegistryParameters, Metaservices):
    """See ``ClientCore`` for construction; each method takes ``protocol`` (your case number) and
    the operation's inputs, and returns a ``Reply`` holding frozen dataclasses."""
