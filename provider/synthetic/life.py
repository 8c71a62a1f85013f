"""Later life events of the synthetic registry (used by ``provider.synthetic.registry``), added once the households,
births, divorces and deaths are drawn, so that municipal-registry certificates have histories to show:

* remarriages: a divorced woman living alone marries a widower heading his share (a marriage act
  of rank 2 for both); she leaves her own share (deletion reason ΓΑΜΟΣ), which keeps
  no current member, and joins his as SPOUSE;
* moves to another municipality (μεταδημότευση): every current member of a share is deleted from
  it (reason ΜΕΤΑΔΗΜΟΤΕΥΣΗ) and registered, with the same member type, in a new share there;
* naturalisations: some foreign nationals acquired Greek nationality (``grnatgaindate``);
* the day each person became a citizen of the municipality (``gainmunrecdate``) and the special
  electoral number (``eklspecialno``) of every living Greek citizen aged 17 or more.

A move or a remarriage comes after every other event of the shares it touches, so no later death,
birth or divorce has to follow a person into their new share. Choices come from a
``random.Random`` of their own, so the rows drawn before (and the acts docs/services/civil_registry_acts.md shows) do not
change when this module does.
"""
from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from provider.synthetic.acts import ActBook

DEATH_REASON = "ΘΑΝΑΤΟΣ"
DIVORCE_REASON = "ΛΥΣΗ ΓΑΜΟΥ"
MARRIAGE_REASON = "ΓΑΜΟΣ"
MOVE_REASON = "ΜΕΤΑΔΗΜΟΤΕΥΣΗ"
REMARRIAGE_RATE = 0.6  # of the divorced women living alone
MOVE_RATE = 0.05  # of the shares with a current member
NATURALISATION_RATE = 0.3  # of the foreign nationals
VOTING_AGE = 17
SALT = 0x5EC7  # this module's random stream: seed ^ SALT

Row = dict[str, Any]


def _years(n: float) -> int:
    return int(n * 365 + n / 4)


class Life:
    """Adds the events above to the generator's ``rows`` (before numbering)."""

    def __init__(self, seed: int, rows: dict[str, list[Row]], new_id: Callable[[str], int], book: ActBook,
                 near: dict[int, list[tuple[int, int, bool]]], munis: list[int], as_of: dt.date) -> None:
        self.rng = random.Random(seed ^ SALT)
        self.rows, self.new_id, self.near, self.munis = rows, new_id, near, munis
        self.book = ActBook(self.rng, new_id, rows, book.offices, book.special, book.office_names, as_of)
        self.as_of = as_of.toordinal()
        self.persons = {p["id"]: p for p in rows["persons"]}
        self.share_muni = {s["id"]: s["municipality_id"] for s in rows["family_shares"]}
        self.members: dict[int, list[Row]] = defaultdict(list)  # by share
        self.memberships: dict[int, list[Row]] = defaultdict(list)  # by person
        for member in rows["family_share_members"]:
            self.members[member["share_id"]].append(member)
            self.memberships[member["person_id"]].append(member)

    def run(self) -> None:
        self.remarriages()
        self.moves()
        self.naturalisations()
        self.municipal_citizenship()
        self.electoral_numbers()

    # ----------------------------------------------------------------- helpers
    def _last_day(self, share_id: int) -> int:
        days: list[dt.date] = [m["registered_on"] for m in self.members[share_id]]
        days += [m["deleted_on"] for m in self.members[share_id] if m["deleted_on"] is not None]
        return max(days).toordinal()

    def _current(self, share_id: int) -> list[Row]:
        return [m for m in self.members[share_id] if m["deleted_on"] is None]

    def _share(self, muni: int, day: int) -> Row:
        row = {"id": self.new_id("family_shares"), "municipality_id": muni, "share_number": 0,
               "created_on": dt.date.fromordinal(day)}
        self.rows["family_shares"].append(row)
        self.share_muni[row["id"]] = muni
        return row

    def _member(self, share_id: int, person_id: int, membertype: str, day: int) -> None:
        row = {"id": self.new_id("family_share_members"), "share_id": share_id, "person_id": person_id,
               "membertype": membertype, "registered_on": dt.date.fromordinal(day), "deleted_on": None,
               "deletion_reason": None}
        self.rows["family_share_members"].append(row)
        self.members[share_id].append(row)
        self.memberships[person_id].append(row)

    @staticmethod
    def _delete(member: Row, day: int, reason: str) -> None:
        member.update(deleted_on=dt.date.fromordinal(day), deletion_reason=reason)

    # ----------------------------------------------------------------- events
    def remarriages(self) -> None:
        """Divorced women living alone marry widowers who head their share."""
        women, men = [], []
        for share_id in sorted(self.members):
            current = self._current(share_id)
            if len(current) != 1 or current[0]["membertype"] != "HEAD":
                continue
            head = self.persons[current[0]["person_id"]]
            divorced = any(m["deletion_reason"] == DIVORCE_REASON for m in self.memberships[head["id"]])
            if head["gender"] == "F" and divorced:
                women.append(share_id)
        for share_id, members in sorted(self.members.items()):
            heads = [m for m in members if m["membertype"] == "HEAD" and m["deleted_on"] is None]
            spouses = [m for m in members if m["membertype"] == "SPOUSE"]
            if (len(heads) == 1 and spouses and all(m["deletion_reason"] == DEATH_REASON for m in spouses)
                    and self.persons[heads[0]["person_id"]]["gender"] == "M"):
                men.append(share_id)
        rng = self.rng
        rng.shuffle(women)
        rng.shuffle(men)
        for her_share, his_share in zip(women[: int(len(women) * REMARRIAGE_RATE)], men):
            her = self._current(her_share)[0]
            him = next(m for m in self._current(his_share) if m["membertype"] == "HEAD")
            low = max(self._last_day(her_share), self._last_day(his_share)) + 30
            high = self.as_of - 60
            if low >= high:
                continue
            muni = self.share_muni[his_share]
            act = self.book.act("MARRIAGE", rng.choice(self.near[muni]), rng.randint(low, high), 15)
            self.book.party(act, "spouse", him["person_id"])
            self.book.party(act, "spouse", her["person_id"])
            self._delete(her, act["_reg"], MARRIAGE_REASON)
            self._member(his_share, her["person_id"], "SPOUSE", act["_reg"])

    def moves(self) -> None:
        rng = self.rng
        for share_id in sorted(self.members):
            current = self._current(share_id)
            if not current or rng.random() >= MOVE_RATE:
                continue
            low, high = self._last_day(share_id) + 30, self.as_of - 20
            if low >= high:
                continue
            day = rng.randint(low, high)
            old = self.share_muni[share_id]
            muni = rng.choice([m for m in self.munis if m != old] or [old])
            share = self._share(muni, day)
            types = {m["id"]: m["membertype"] for m in current}
            if "HEAD" not in types.values():  # the head died or left: the spouse, or else the eldest child, heads
                eldest = min(current, key=lambda m: (m["membertype"] == "CHILD",
                                                     self.persons[m["person_id"]]["birthdate"]))
                types[eldest["id"]] = "HEAD"
            for member in sorted(current, key=lambda m: m["id"]):
                self._delete(member, day, MOVE_REASON)
                self._member(share["id"], member["person_id"], types[member["id"]], day)

    def naturalisations(self) -> None:
        rng = self.rng
        for person in self.rows["persons"]:
            if person["nationality"] == "GR" or rng.random() >= NATURALISATION_RATE:
                continue
            birth = person["birthdate"].toordinal()
            end = person["deathdate"].toordinal() if person["deathdate"] else self.as_of
            low, high = birth + _years(18), end - 30
            if low < high:
                person.update(nationality="GR", grnatgaindate=dt.date.fromordinal(rng.randint(low, high)))

    def municipal_citizenship(self) -> None:
        """gainmunrecdate: birth registration, or an earlier day for adults from elsewhere; the move's day."""
        rng = self.rng
        for person_id, memberships in sorted(self.memberships.items()):
            person = self.persons[person_id]
            previous: tuple[int, dt.date] | None = None
            for member in sorted(memberships, key=lambda m: (m["registered_on"], m["id"])):
                muni = self.share_muni[member["share_id"]]
                if previous is not None and previous[0] == muni:
                    since = previous[1]
                elif previous is not None or member["membertype"] == "CHILD":
                    since = member["registered_on"]
                elif person["birth_municipality_id"] == muni:
                    since = person["birthdate"]
                else:
                    registered = member["registered_on"].toordinal()
                    low = min(person["birthdate"].toordinal() + _years(18), registered)
                    since = dt.date.fromordinal(rng.randint(low, registered))
                member["gainmunrecdate"] = since
                previous = (muni, since)

    def electoral_numbers(self) -> None:
        rng, used = self.rng, set()
        for person in self.rows["persons"]:
            person.setdefault("grnatgaindate", None)
            person["eklspecialno"] = None
            voter = self.as_of - person["birthdate"].toordinal() >= _years(VOTING_AGE)
            if person["nationality"] == "GR" and person["deathdate"] is None and voter:
                while (number := f"{rng.randrange(10**9, 10**10)}") in used:
                    pass
                used.add(number)
                person["eklspecialno"] = number
