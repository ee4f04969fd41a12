"""The expectations the tests hold normgraph to, recomputed in plain Python from the bundled tables (no SPARQL):
legal time of every consent (ILO: 12 months after registration; UN: the 30th day after deposit), by day."""
from __future__ import annotations

import calendar
import datetime as dt

from conftest import bundled_table


def plus_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def last_day(as_of: str) -> dt.date | None:
    parts = [int(p) for p in as_of.split("-")] if as_of[:4].isdigit() else []
    if len(parts) == 1:
        return dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        return dt.date(parts[0], parts[1], calendar.monthrange(*parts)[1])
    return dt.date(*parts) if parts else None


def first_day(value: str) -> dt.date:
    parts = [int(p) for p in value.split("-")] + [1, 1]
    return dt.date(*parts[:3])


class Expected:
    """Who is bound by what on a date, straight from the CSV files and the instruments' final articles."""

    def __init__(self):
        instruments = {r["code"]: r for r in bundled_table("instruments.csv")}
        self.adopted = {code: dt.date.fromisoformat(r["adopted"]) for code, r in instruments.items()}
        self.states = {r["iso3"]: r["ilo_region"] for r in bundled_table("countries.csv") if r["ilo_region"]}
        self.all_states = {r["iso3"]: r["ilo_region"] for r in bundled_table("countries.csv") if r["iso3"] != "EUU"}
        # ILO membership periods; a year or month read on the safe side (member from its last day, until its first).
        self.memberships: dict[str, list[tuple]] = {}
        for m in bundled_table("ilo_membership.csv"):
            start = last_day(m["admitted"]) if m["admitted"] else None
            end = first_day(m["withdrawn"]) if m["withdrawn"] else None
            self.memberships.setdefault(m["state"], []).append((start, end))
        self.windows: dict[tuple[str, str], tuple] = {}
        for r in bundled_table("ratifications.csv"):
            floor = dt.date.fromisoformat(instruments[r["instrument"]]["entry_into_force"])
            # A succession takes effect on its own date (VCSST 1978 Art. 23); other ILO consents 12 months on.
            delay = 0 if r["consent_type"] == "succession" else 12

            def effect(day, delay=delay):
                return max(plus_months(day, delay), floor)
            if r["registered"]:
                earliest = latest = effect(dt.date.fromisoformat(r["registered"]))
            elif r["registered_year"]:
                year = int(r["registered_year"])
                earliest, latest = effect(dt.date(year, 1, 1)), effect(dt.date(year, 12, 31))
            else:
                bound = last_day(r["as_of"])
                earliest, latest = floor, effect(bound) if bound else None
            ends = plus_months(dt.date.fromisoformat(r["denounced"]), 12) if r["denounced"] else None
            self.windows[(r["state"], r["instrument"])] = (earliest, latest, ends, r)
        for r in bundled_table("treaty_parties.csv"):
            if r["status"] != "party":
                continue
            floor = dt.date.fromisoformat(instruments[r["treaty"]]["entry_into_force"])
            # UN-TIP Art. 17(2), UNTOC Art. 38(2): the 30th day after deposit; OPSC Art. 14(2): one month.
            one_month = instruments[r["treaty"]]["consent_delay"] == "P1M"

            succession = r["consent_type"] == "succession"

            def takes_effect(day, succession=succession):
                if succession:
                    return max(day, floor)
                return max(plus_months(day, 1) if one_month else day + dt.timedelta(days=30), floor)
            if r["consent"]:
                window = (takes_effect(consent_day(r)),) * 2
            elif r["entry_into_force"]:
                window = (dt.date.fromisoformat(r["entry_into_force"]),) * 2
            elif r["consent_year"]:
                year = int(r["consent_year"])
                window = (takes_effect(dt.date(year, 1, 1)), takes_effect(dt.date(year, 12, 31)))
            else:
                bound = last_day(r["as_of"])
                window = (floor, takes_effect(bound) if bound else None)
            self.windows[(r["party"], r["treaty"])] = (*window, None, r)
        # UNTOC Art. 37(2): only a party to the Convention joins its Protocols, and both take effect 30 days after
        # deposit, so the Convention binds a party no later than a Protocol does.
        for (party, code), (earliest, latest, ends, r) in list(self.windows.items()):
            parent = instruments[code]["parent"] if "treaty" in r else None
            if latest and parent and (party, parent) in self.windows:
                p_earliest, p_latest, p_ends, p_row = self.windows[(party, parent)]
                if p_latest is None or latest < p_latest:
                    self.windows[(party, parent)] = (p_earliest, latest, p_ends, p_row)

        # Territories a State answers for from a known day (territories.csv), and the declarations applying an
        # instrument there (territorial_application.csv): from applies_from; up to applies_by undetermined; a UN
        # treaty declared in the State's own consent as it binds the State; "no" is not applied.
        self.territories = {r["territory"]: (r["sovereign"], dt.date.fromisoformat(r["answered_from"]))
                            for r in bundled_table("territories.csv") if r["answered_from"]}
        self.declared: dict[tuple[str, str], tuple | None] = {}
        for r in bundled_table("territorial_application.csv"):
            if r["territory"] not in self.territories:
                continue
            floor = dt.date.fromisoformat(instruments[r["instrument"]]["entry_into_force"])
            if r["applies"] == "no":
                window = None
            elif r["applies_from"]:
                window = (max(dt.date.fromisoformat(r["applies_from"]), floor),) * 2 + (None,)
            elif not r["instrument"].startswith("C") and not r["applies_by"]:
                window = self.windows[(r["state"], r["instrument"])][:3]
            else:
                window = (floor, last_day(r["applies_by"]) if r["applies_by"] else None, None)
            self.declared[(r["territory"], r["instrument"])] = window

    def place_status(self, place: str, instrument: str, on: dt.date) -> int:
        """A State's status, or a territory's through its State: its declaration decides; with none, the State's
        consent is at most undetermined there; before the State answers for it, nothing is known (at least 1)."""
        if place not in self.territories:
            return self.status(place, instrument, on)
        sovereign, answered_from = self.territories[place]
        if (place, instrument) in self.declared:
            window = self.declared[(place, instrument)]
            found = 0 if window is None else self.window_status(window, on)
        else:
            found = min(self.status(sovereign, instrument, on), 1)
        return max(found, 1) if on < answered_from else found

    def region_of(self, place: str) -> str | None:
        """A State's ILO region; a territory's is its State's."""
        return self.all_states.get(self.territories[place][0] if place in self.territories else place)

    @staticmethod
    def window_status(window: tuple, on: dt.date) -> int:
        earliest, latest, ends = window
        if on < earliest or (ends and ends <= on):
            return 0
        return 2 if latest and latest <= on else 1

    def status(self, state: str, instrument: str, on: dt.date) -> int:
        """2 bound, 1 the data cannot tell, 0 not bound."""
        if (state, instrument) not in self.windows:
            return 0
        return self.window_status(self.windows[(state, instrument)][:3], on)

    def member(self, state: str, day: dt.date) -> bool:
        return any((start is None or start <= day) and (end is None or day < end)
                   for start, end in self.memberships.get(state, []))

    def members(self, day: dt.date) -> list[str]:
        return [state for state in self.states if self.member(state, day)]

    def has_without(self, has: str, lacks: list[str], on: str, ilo: bool = True) -> dict[str, bool]:
        """States bound by `has` and not by every instrument of `lacks` that existed on the date; ILO gaps
        concern Members on the date, UN gaps every state."""
        day = dt.date.fromisoformat(on)
        lacks = [code for code in lacks if self.adopted[code] <= day]
        # A ratification limited to one territory binds the territory, not the State: undetermined for the State.
        limited = {(r["state"], r["instrument"]) for r in bundled_table("territorial_application.csv")
                   if r["kind"] == "ratification limited to the territory"}

        def of_state(state: str, code: str) -> int:
            return min(self.place_status(state, code, day), 1 if (state, code) in limited else 2)
        # A territory is asked through the State answering for it: its ILO membership decides the ILO gaps.
        places = self.members(day) if ilo else list(self.all_states)
        places += [t for t, (sovereign, _) in self.territories.items() if not ilo or self.member(sovereign, day)]
        out = {}
        for state in places if self.adopted[has] <= day else []:
            a, others = of_state(state, has), [of_state(state, code) for code in lacks]
            if lacks and a > 0 and all(s < 2 for s in others):
                out[state] = a == 1 or 1 in others
        return out


def consent_day(r: dict) -> dt.date:
    """A UN consent's day; for a succession, the date of the succession of States (VCSST 1978 Arts. 23(1), 34):
    the State's independence in statehood.csv, where it precedes the notice."""
    day = dt.date.fromisoformat(r["consent"])
    if r["consent_type"] == "succession":
        independent = {s["state"]: s["independent"] for s in bundled_table("statehood.csv")}.get(r["party"])
        if independent and dt.date.fromisoformat(independent) < day:
            return dt.date.fromisoformat(independent)
    return day


def recorded_by(state: str, on: dt.date) -> set[str]:
    """The instruments a state has any record of consenting to (or signing) by the date, from the two tables."""
    codes = set()
    for r in bundled_table("ratifications.csv"):
        day = r["registered"] or (r["registered_year"] and r["registered_year"] + "-01-01")
        if r["state"] == state and (not day or dt.date.fromisoformat(day) <= on):
            codes.add(r["instrument"])
    for r in bundled_table("treaty_parties.csv"):
        day = (r["consent"] and consent_day(r).isoformat()) or r["signed"] or (r["consent_year"] and r["consent_year"] + "-01-01")
        if r["party"] == state and (not day or dt.date.fromisoformat(day) <= on):
            codes.add(r["treaty"])
    return codes
