"""SOAP edge of the registryParameters service (Άντληση πληροφοριών για παραμέτρους Μητρώου Πολιτών)."""
from __future__ import annotations

from typing import Any

from spyne import Boolean, ComplexModel, Unicode

from provider.registry.registry_parameters import queries as parameters
from provider.soap.call import Call
from provider.soap.services.common import EmptyInput, Mandatory, build, service_class, text
from provider.xml import namespaces as ns

SERVICE = "registryParameters"
TNS = ns.service(SERVICE)


class Municipality(ComplexModel):
    __namespace__ = TNS
    __type_name__ = "municipality"
    _type_info = [
        ("code", text()),
        ("name", text()),
        ("nameLatin", text()),
        ("regionCode", text()),
        ("regionName", text()),
        ("regionalUnit", text()),
    ]


class RegistryOffice(ComplexModel):
    __namespace__ = TNS
    __type_name__ = "registryOffice"
    _type_info = [
        ("code", text()),
        ("name", text()),
        ("municipalityCode", text()),
        ("numbersByVolume", Boolean(**Mandatory)),
    ]


class CodeEntry(ComplexModel):
    __namespace__ = TNS
    __type_name__ = "codeEntry"
    _type_info = [("code", text()), ("name", text()), ("nameEn", text())]


def _list_of(type_name: str, item_name: str, item: type[Any]) -> type[Any]:
    return type(
        type_name,
        (ComplexModel,),
        {
            "__namespace__": TNS,
            "__type_name__": type_name,
            "_type_info": [(item_name, item.customize(min_occurs=0, max_occurs="unbounded", nillable=False))],
        },
    )


class GetMunicipalitiesInput(ComplexModel):
    __namespace__ = TNS
    __type_name__ = "getMunicipalitiesInputRecord"
    _type_info = [("regionCode", Unicode(min_occurs=0, nillable=False))]


class GetRegistryOfficesInput(ComplexModel):
    __namespace__ = TNS
    __type_name__ = "getRegistryOfficesInputRecord"
    _type_info = [("municipalityCode", Unicode(min_occurs=0, nillable=False))]


MunicipalityList = _list_of("municipalityList", "municipality", Municipality)
RegistryOfficeList = _list_of("registryOfficeList", "registryOffice", RegistryOffice)
CountryList = _list_of("countryList", "country", CodeEntry)
ActTypeList = _list_of("actTypeList", "actType", CodeEntry)
MemberTypeList = _list_of("memberTypeList", "memberType", CodeEntry)


def _get_municipalities(call: Call, data: Any) -> Any:
    with call.sessions.autocommit() as session:
        rows = parameters.municipalities(session, data.regionCode)
    return build(MunicipalityList,
        municipality=[
            build(Municipality,
                code=m.code,
                name=m.name,
                nameLatin=m.name_latin,
                regionCode=m.region_code,
                regionName=m.region_name,
                regionalUnit=m.regional_unit,
            )
            for m in rows
        ]
    )


def _get_registry_offices(call: Call, data: Any) -> Any:
    with call.sessions.autocommit() as session:
        rows = parameters.registry_offices(session, data.municipalityCode)
    return build(RegistryOfficeList,
        registryOffice=[
            build(RegistryOffice,
                code=o.code, name=o.name, municipalityCode=o.municipality_code, numbersByVolume=o.numbers_by_volume
            )
            for o in rows
        ]
    )


def _code_list(list_type: type, field: str, query: Any) -> Any:
    def handler(call: Call, _data: Any) -> Any:
        with call.sessions.autocommit() as session:
            rows = query(session)
        return build(list_type, **{field: [build(CodeEntry, code=r.code, name=r.name, nameEn=r.name_en) for r in rows]})

    return handler


Service = service_class(
    SERVICE,
    {
        "getMunicipalities": (GetMunicipalitiesInput, MunicipalityList, _get_municipalities),
        "getRegistryOffices": (GetRegistryOfficesInput, RegistryOfficeList, _get_registry_offices),
        "getCountries": (EmptyInput, CountryList, _code_list(CountryList, "country", parameters.countries)),
        "getActTypes": (EmptyInput, ActTypeList, _code_list(ActTypeList, "actType", parameters.act_types)),
        "getMemberTypes": (EmptyInput, MemberTypeList, _code_list(MemberTypeList, "memberType", parameters.member_types)),
    },
)
