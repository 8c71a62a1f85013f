"""Typed methods of the registryParameters service and of the metaservices every service has."""
from __future__ import annotations

from consumer_client.core import ClientCore
from consumer_client.models import CodeEntry, Municipality, RegistryOffice, Reply, many

SERVICE = "registryParameters"


class RegistryParameters(ClientCore):
    def get_municipalities(self, *, protocol: str, region_code: str | None = None) -> Reply[tuple[Municipality, ...]]:
        """The municipalities (ELSTAT codes), all or those of one region (NUTS-2 code, e.g. EL43)."""
        return self.call(SERVICE, "getMunicipalities", protocol, lambda out: many(Municipality, out.municipality),
                         regionCode=region_code)

    def get_registry_offices(self, *, protocol: str,
                             municipality_code: str | None = None) -> Reply[tuple[RegistryOffice, ...]]:
        """The registry offices (ληξιαρχεία), all or those of one municipality."""
        return self.call(SERVICE, "getRegistryOffices", protocol,
                         lambda out: many(RegistryOffice, out.registryOffice), municipalityCode=municipality_code)

    def get_countries(self, *, protocol: str) -> Reply[tuple[CodeEntry, ...]]:
        """Countries (ISO 3166-1 alpha-2) with their Greek names."""
        return self.call(SERVICE, "getCountries", protocol, lambda out: many(CodeEntry, out.country))

    def get_act_types(self, *, protocol: str) -> Reply[tuple[CodeEntry, ...]]:
        """The civil-act types (birth, death, marriage, partnership)."""
        return self.call(SERVICE, "getActTypes", protocol, lambda out: many(CodeEntry, out.actType))

    def get_member_types(self, *, protocol: str) -> Reply[tuple[CodeEntry, ...]]:
        """The family-share member types (head, spouse, partner, child)."""
        return self.call(SERVICE, "getMemberTypes", protocol, lambda out: many(CodeEntry, out.memberType))


class Metaservices(ClientCore):
    def list_methods(self, *, protocol: str, service: str = SERVICE) -> Reply[tuple[str, ...]]:
        """Every operation of ``service``."""
        return self.call(service, "listMethods", protocol, lambda out: tuple(out.method or ()))

    def allowed_methods(self, *, protocol: str, service: str = SERVICE) -> Reply[tuple[str, ...]]:
        """The operations of ``service`` this caller's agency may call."""
        return self.call(service, "allowedMethods", protocol, lambda out: tuple(out.method or ()))
