"""``MitrooClient``: one typed method per operation of every service the provider exposes."""
from __future__ import annotations

from consumer_client.audit_service import AuditService
from consumer_client.civil_registry_acts import CivilRegistryActs
from consumer_client.civil_status_certificates import CivilStatusCertificates
from consumer_client.registry_parameters import Metaservices, RegistryParameters
from consumer_client.special_electoral_rolls import SpecialElectoralRolls


class MitrooClient(CivilRegistryActs, CivilStatusCertificates, SpecialElectoralRolls, RegistryParameters, AuditService,
                   Metaservices):
    """See ``ClientCore`` for construction; each method takes ``protocol`` (your case number) and
    the operation's inputs, and returns a ``Reply`` holding frozen dataclasses."""
