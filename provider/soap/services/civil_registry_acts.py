"""SOAP edge of the civilRegistryActs service (Λήψη Ληξιαρχικών Πράξεων): models and thin handlers
over ``provider.registry.civil_registry_acts.queries``. Every person shown in an answer is reported to
the audit as a data subject."""
from __future__ import annotations

import dataclasses
from typing import Any

from spyne import Boolean, ComplexModel, Date, Int, Time, Unicode

from provider.registry.civil_registry_acts import criteria as act_criteria
from provider.registry.civil_registry_acts import queries as acts
from provider.soap.call import Call
from provider.soap.services.common import (
    ActReference,
    Mandatory,
    Optional,
    PersonCriteria,
    build,
    input_record,
    output_model,
    service_class,
    text,
)
from provider.xml import namespaces as ns

SERVICE = "civilRegistryActs"
TNS = ns.service(SERVICE)


class ActHeader(ComplexModel):
    __namespace__ = TNS
    __type_name__ = "actHeader"
    _type_info = [
        ("actType", text()),
        ("registryOfficeCode", text()),
        ("registryOfficeName", text()),
        ("actNumber", Int(**Mandatory)),
        ("volume", Int(**Optional)),
        ("year", Int(**Mandatory)),
        ("registrationDate", Date(**Mandatory)),
        ("status", text()),
    ]


class ActEvent(ComplexModel):
    __namespace__ = TNS
    __type_name__ = "actEvent"
    _type_info = [
        ("eventDate", Date(**Mandatory)),
        ("eventTime", Time(**Optional)),
        ("municipalityCode", text(**Optional)),
        ("municipalityName", text(**Optional)),
        ("countryCode", text()),
        ("countryName", text()),
    ]


class ActParty(ComplexModel):
    __namespace__ = TNS
    __type_name__ = "actParty"
    _type_info = [
        ("role", text()),
        ("fullName", text()),
        ("fullNameLatin", text()),
        ("amka", text(**Optional)),
        ("surname", text(**Optional)),
        ("firstname", text(**Optional)),
        ("secondname", text(**Optional)),
        ("fathername", text(**Optional)),
        ("mothername", text(**Optional)),
        ("mothergenos", text(**Optional)),
        ("surnameLatin", text(**Optional)),
        ("firstnameLatin", text(**Optional)),
        ("fathernameLatin", text(**Optional)),
        ("mothernameLatin", text(**Optional)),
        ("gender", text(**Optional)),
        ("birthdate", Date(**Optional)),
    ]


class MarginalNote(ComplexModel):
    __namespace__ = TNS
    __type_name__ = "marginalNote"
    _type_info = [
        ("seq", Int(**Mandatory)),
        ("noteDate", Date(**Mandatory)),
        ("kind", text()),
        ("text", text()),
    ]


class Act(ComplexModel):
    __namespace__ = TNS
    __type_name__ = "act"
    _type_info = [
        ("header", ActHeader.customize(**Mandatory)),
        ("event", ActEvent.customize(**Mandatory)),
        ("party", ActParty.customize(min_occurs=1, max_occurs="unbounded", nillable=False)),
        ("marginalNote", MarginalNote.customize(min_occurs=0, max_occurs="unbounded", nillable=False)),
    ]


class PartyName(ComplexModel):
    __namespace__ = TNS
    __type_name__ = "partyName"
    _type_info = [("role", text()), ("fullName", text()), ("fullNameLatin", text())]


class ActSummary(ComplexModel):
    __namespace__ = TNS
    __type_name__ = "actSummary"
    _type_info = [
        ("header", ActHeader.customize(**Mandatory)),
        ("mainParty", PartyName.customize(min_occurs=0, max_occurs="unbounded", nillable=False)),
    ]


class ActSearchResult(ComplexModel):
    __namespace__ = TNS
    __type_name__ = "actSearchResult"
    _type_info = [
        ("act", ActSummary.customize(min_occurs=0, max_occurs="unbounded", nillable=False)),
        ("truncated", Boolean(**Mandatory)),
    ]


class ActLookupInput(ComplexModel):
    """Exactly one of actReference and person (a domain rule: MP_INVALID_INPUT otherwise)."""

    __namespace__ = TNS
    __type_name__ = "actLookupInputRecord"
    _type_info = [
        ("actReference", ActReference.customize(**Optional)),
        ("person", PersonCriteria.customize(**Optional)),
    ]


class SearchActsInput(ComplexModel):
    __namespace__ = TNS
    __type_name__ = "searchActsInputRecord"
    _type_info = [
        ("person", PersonCriteria.customize(**Optional)),
        ("actType", Unicode(**Optional)),
        ("registryOfficeCode", Unicode(**Optional)),
        ("yearFrom", Int(**Optional)),
        ("yearTo", Int(**Optional)),
        ("maxResults", Int(**Optional)),
    ]


# -- conversions ----------------------------------------------------------------------------------


def _act(act: acts.Act) -> Any:
    return build(Act,
        header=output_model(ActHeader, act.header),
        event=output_model(ActEvent, act.event),
        party=[output_model(ActParty, party) for party in act.parties],
        marginalNote=[output_model(MarginalNote, note) for note in act.notes],
    )


def _get_act(act_type: str) -> Any:
    def handler(call: Call, data: Any) -> Any:
        reference = input_record(act_criteria.ActReference, data.actReference)
        person = input_record(act_criteria.PersonCriteria, data.person)
        today = act_criteria.registry_today(call.call_sequence_date)
        with call.sessions.autocommit() as session:
            act = acts.get_act(session, act_type, reference, person, today)
        call.touch(act.subjects)
        return _act(act)

    return handler


def _search_acts(call: Call, data: Any) -> Any:
    criteria = input_record(act_criteria.SearchCriteria, data)
    criteria = dataclasses.replace(criteria, person=input_record(act_criteria.PersonCriteria, data.person))
    today = act_criteria.registry_today(call.call_sequence_date)
    with call.sessions.autocommit() as session:
        result = acts.search_acts(session, criteria, today)
    call.touch(result.subjects)
    return build(ActSearchResult, act=[
        build(ActSummary, header=output_model(ActHeader, s.header),
              mainParty=[output_model(PartyName, p) for p in s.main_parties])
        for s in result.acts
    ], truncated=result.truncated)


Service = service_class(
    SERVICE,
    {
        "getBirthAct": (ActLookupInput, Act, _get_act("BIRTH")),
        "getDeathAct": (ActLookupInput, Act, _get_act("DEATH")),
        "getMarriageAct": (ActLookupInput, Act, _get_act("MARRIAGE")),
        "getCivilPartnershipAct": (ActLookupInput, Act, _get_act("PARTNERSHIP")),
        "searchActs": (SearchActsInput, ActSearchResult, _search_acts),
    },
)
