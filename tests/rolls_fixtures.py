"""The special electoral rolls' test data: the seed's worked examples and the other 2010 cases of
tests/data/rolls/holders-2010.json, loaded through ``db.rolls_book`` like the synthetic data."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from db.rolls_book import RollBook

ROLLS_DATA = Path(__file__).with_name("data") / "rolls"
HOLDERS_2010 = ROLLS_DATA / "holders-2010.json"


@dataclass(frozen=True)
class FixtureHolder:
    key: str
    person_id: int
    permits: tuple[str, ...]  # numbers, oldest first; the last is the title in force
    surname_latin: str
    firstname_latin: str
    birth_year: int

    def criteria(self, permit: str | None = None) -> dict[str, Any]:
        """The circular's search criteria for this holder, presenting ``permit`` (the title in force by default)."""
        return {"permitNumber": permit or self.permits[-1], "surnamePrefix": self.surname_latin[:2],
                "firstnamePrefix": self.firstname_latin[:2], "birthYear": self.birth_year}


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def load(engine: Engine, path: Path = HOLDERS_2010) -> dict[str, FixtureHolder]:
    data = json.loads(path.read_text(encoding="utf-8"))
    with engine.connect() as connection:
        book = RollBook(connection)
    for election in data["elections"]:
        book.election(election["code"], election["name"], _date(election["election_date"]),
                      _date(election["registration_deadline"]), _date(election.get("extended_deadline")))
    holders = {}
    for item in data["holders"]:
        person_id = book.holder(
            gender=item["gender"], surname=item["surname"], firstname=item["firstname"],
            surname_latin=item.get("surname_latin"), firstname_latin=item.get("firstname_latin"),
            birthdate=_date(item["birthdate"]), birthdate_exact=item.get("birthdate_exact", True),
            nationality=item["nationality"], homogeneis=item.get("homogeneis", False),
            fathername=item.get("fathername"), mothername=item.get("mothername"), birthplace=item.get("birthplace"),
            birth_country=item.get("birth_country"))
        for permit in item["permits"]:
            book.permit(person_id, number=permit["number"], type_code=permit["type"],
                        authority_kind=permit["authority_kind"], authority_name=permit["authority_name"],
                        application_date=_date(permit["application_date"]), valid_from=_date(permit["valid_from"]),
                        valid_to=_date(permit["valid_to"]))
        for row in item.get("history", ()):
            book.history(person_id, row["municipality"], _date(row["from"]), _date(row["registered"]), row["source"],
                         row.get("note"))
        for conviction in item.get("convictions", ()):
            book.conviction(person_id, court=conviction["court"], decision=conviction["decision"],
                            penalty=conviction["penalty"], irrevocable_on=_date(conviction["irrevocable_on"]),
                            rights_restored_on=_date(conviction.get("rights_restored_on")))
        if item.get("acquisition"):
            acquisition = item["acquisition"]
            book.acquisition(person_id, acquired_on=_date(acquisition["acquired_on"]),
                             municipality=acquisition["municipality"], decision=acquisition["decision"])
        person = book.by_id[("persons", person_id)]
        holders[item["key"]] = FixtureHolder(item["key"], person_id, tuple(p["number"] for p in item["permits"]),
                                             person["surname_latin"], person["firstname_latin"],
                                             person["birthdate"].year)
    with engine.begin() as connection:
        book.insert(connection)
    return holders
