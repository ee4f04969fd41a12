#!/usr/bin/env python3
"""Turn the raw source tables (the project's shared research folder) into normgraph's own tidy files.

Run from the repository root:  python scripts/import_sources.py /path/to/shared/data

Facts carry over, prose does not: notes and summaries are read only to pull out facts
(annex exclusions, year-only dates); they are never copied. Every output row keeps its
source ids and the as-of date the source states. The package itself never reads the raw folder.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
import sys
from collections import Counter
from pathlib import Path

import pycountry

OUT = Path(__file__).resolve().parent.parent / "normgraph" / "data"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
INSTRUMENT_IDS = {"C029", "P029", "C097", "C105", "C138", "C143", "C181", "C182", "C189"}

# The UN treaties are not in the ILO instruments table; their dates are those of the
# UN Treaty Collection status pages (chapters XVIII-12, XVIII-12-a, IV-11-c).
UN_TREATIES = [
    {"code": "UNTOC", "title": "United Nations Convention against Transnational Organized Crime",
     "type": "un_treaty", "adopted": "2000-11-15", "entry_into_force": "2003-09-29", "parent": "",
     "untc": "XVIII-12", "source": "UNTC_2024", "as_of": "2024-04-20"},
    {"code": "UN-TIP", "title": "Protocol to Prevent, Suppress and Punish Trafficking in Persons, "
     "Especially Women and Children, supplementing the United Nations Convention against "
     "Transnational Organized Crime", "type": "protocol", "adopted": "2000-11-15",
     "entry_into_force": "2003-12-25", "parent": "UNTOC", "untc": "XVIII-12-a",
     "source": "UNTC_2024", "as_of": "2024-04-20"},
    {"code": "OPSC", "title": "Optional Protocol to the Convention on the Rights of the Child on the "
     "sale of children, child prostitution and child pornography", "type": "protocol",
     "adopted": "2000-05-25", "entry_into_force": "2002-01-18", "parent": "", "untc": "IV-11-c",
     "source": "WPD_OPSC", "as_of": "2024-04"},
]
# When consent takes effect for a state, and when a denunciation does (ISO 8601 durations):
# ILO final articles: 12 months after registration; UNTOC Art. 38 and UN-TIP Art. 17: 30th day
# after deposit; OPSC Art. 14: one month after deposit.
LEGAL_DELAYS = {"ilo": ("P12M", "P12M"), "UNTOC": ("P30D", ""), "UN-TIP": ("P30D", ""), "OPSC": ("P1M", "")}
TREATY_FILES = {"UN-TIP": "palermo_parties.csv", "UNTOC": "untoc_parties.csv", "OPSC": "opsc_parties.csv"}
# Parties that are not states: the European Union joined UNTOC and UN-TIP by approval.
NON_STATE_PARTIES = {"European Union": "EUU"}


# Sources the rows cite without a row in the SOURCES.md tables: (id, title, url, as-of, folder).
EXTRA_SOURCES = [
    ("CRBA_UNTC_2023", "UN Treaty Collection status tables as committed by the UNICEF CRBA ETL",
     "https://treaties.un.org", "2023-05-11", "un"),
    ("BT_MFA_2023", "Bhutan Ministry of Foreign Affairs press release on accession to UN-TIP", "", "2023-03-23", "un"),
    ("ILO_INSTRUMENTS", "ILO instrument metadata (adoption, entry into force, session)", "https://normlex.ilo.org",
     "2026-11-23", "ilo"),
    ("NORMLEX_COMMENTS", "ILO NORMLEX supervisory comments", "https://normlex.ilo.org", "2026-11-23", "supervision"),
    ("GW_STATES", "Gleditsch & Ward list of independent states (iisystem.dat, microstatessystem.dat), as packaged in "
     "the R package 'states' 0.3.3 (data/gwstates.rda), MIT licence",
     "https://github.com/andybega/states/tree/b15448281b4bfc59d5bd24177174d04d906543a9", "2025-08-25", "un"),
    ("PYCOUNTRY", "ISO 3166-1 country codes (pycountry)", "https://pypi.org/project/pycountry/", "2026-02-16", "un"),
    # The seed documents: programmes, projects and estimates were extracted from them by hand.
    ("000_f7e10c65316fdbfc.txt", "ILO web page: ILO contributions to achieve Target 8.7", "", "2022", "seeds"),
    ("001_42cbc66429d4a9f0.txt", "ILO news: expert meeting on measuring forced labour (Alliance 8.7)", "", "2017", "seeds"),
    ("002_f2182f69dab6f9eb.txt", "ILO web page: Special Action Programme to Combat Forced Labour", "", "2014-10-14", "seeds"),
    ("003_654ef3e66ea20c1c.txt", "ILO Moscow office web page: Child Labour", "", "2012-02-28", "seeds"),
    ("004_1bcf837223148c65.txt", "ILO brochure: ILO action against trafficking in human beings", "", "2008", "seeds"),
    # When a succession takes effect (normgraph/data/consent_types.csv).
    ("VCSST_1978", "Vienna Convention on Succession of States in respect of Treaties, 1978 (Arts. 17, 23)",
     "https://legal.un.org/ilc/texts/instruments/english/conventions/3_2_1978.pdf", "1978-08-23", "un"),
    # Territorial application (territories.csv, territorial_application.csv).
    ("HK_LD_ILC_LIST", "List of International Labour Conventions applied to the Hong Kong SAR (copy of the Labour Department list)",
     "https://docsbay.net/list-of-international-labour-conventions-applied-to-hong-kong", "unknown", "ilo"),
    ("LEGCO_1999_ILC", "LegCo Panel on Manpower, 3 March 1999: application of International Labour Conventions in the HKSAR "
     "(Basic Law Art. 39: conventions as applied to Hong Kong remain in force)",
     "https://www.legco.gov.hk/yr98-99/english/panels/mp/papers/mp0303_4.htm", "1999-03-03", "ilo"),
    ("NLX_CEACR_HKG_C105", "NORMLEX CEACR comment: C105, Hong Kong Special Administrative Region (ratification: 1997)",
     "http://ilo.ch/dyn/normlex/de/f?p=1000%3A13100%3A0%3A%3ANO%3A13100%3AP13100_COMMENT_ID%2CP13100_COUNTRY_ID%3A2185192%2C103578",
     "unknown", "supervision"),
    ("MO_AVISO_49_2001", "Macao SAR: Chief Executive notice 49/2001 and 63/2001 (China's notification of 1999-10-20 that C029 "
     "and C105 continue to apply in the Macao SAR from 1999-12-20), as summarised by O Direito Online",
     "https://odireitoonline.com/trabalho-forcado-ou-obrigatorio.html", "2022", "ilo"),
    ("MO_LEGISMAC_DL42381", "LegisMac record DL 42381 (C105 in Macao): notice 63/2001, BO of the Macao SAR II no. 44, "
     "2001-10-31, publishes China's notification that C105 continues to apply in the Macao SAR",
     "http://search.io.gov.mo/zh-mo/legismac/type/DL/number/42381", "2001-10-31", "ilo"),
    ("NLX_CAS_MYS_SABAH", "NORMLEX CAS 1998: Malaysia (Sabah), C097: the ratification applies to Sabah",
     "http://ilo.org/dyn/normlex/en/f?p=1000%3A13101%3A0%3A%3ANO%3A13101%3AP13101_COMMENT_ID%3A3962669", "1998", "supervision"),
    # Names people use for the UN treaties (instrument_names.csv).
    ("UNODC_UNTOC_2024", "UNODC explainer: What is the Organized Crime Convention? (UNTOC, also known as the Palermo "
     "Convention)", "http://unodc.org/unodc/en/frontpage/2024/October/explainer_-what-is-the-organized-crime-convention.html",
     "2024-10", "un"),
    ("WIKI_UNTIP", "Wikipedia: Protocol to Prevent, Suppress and Punish Trafficking in Persons (also referred to as the "
     "Trafficking Protocol or UN TIP Protocol)",
     "https://en.wikipedia.org/wiki/Protocol_to_Prevent,_Suppress_and_Punish_Trafficking_in_Persons", "2022-11", "un"),
    # Names people use for states (country_names.csv).
    ("WPR_NAME_CHANGES", "World Population Review: country name changes (former and new names, year)",
     "https://worldpopulationreview.com/country-rankings/name-changes-by-country", "2025", "un"),
    ("SAMAYO_COUNTRY_JSON", "samayo/country-json (MIT): country-by-abbreviation.json, English short names by ISO alpha-2",
     "https://github.com/samayo/country-json", "2024", "un"),
    # Earlier ILO memberships of states that withdrew and were readmitted (ilo_membership.csv).
    ("WIKI_ILO_WITHDRAWALS", "Wikipedia: Member states of the International Labour Organization, withdrawals and notes",
     "https://www.wikiwand.com/en/articles/Member_states_of_the_International_Labour_Organization", "2025-02", "un"),
    ("NATIONS_ENC_ILO", "Nations Encyclopedia: The International Labour Organization (ILO) - Membership",
     "https://www.nationsencyclopedia.com/United-Nations-Related-Agencies/The-International-Labour-Organization-ILO-MEMBERSHIP.html",
     "unknown", "un"),
    ("APH_USA_ILO_1980", "Australian ministers' press release: Return of U.S.A. to ILO (the United States joined in 1934)",
     "http://parlinfo.aph.gov.au/parlInfo/search/display/display.w3p;query=Id%3A%22media%2Fpressrel%2FHPR10028750b%22;src1=sm1",
     "1980-02-15", "un"),
    ("TIME_USA_ILO_1977", "Time, 14 Nov 1977: U.S. Quits I.L.O. (withdrawal in the week before)",
     "http://softbeam.net/txt/time/Time1977/1977-11-14/912033.html", "1977-11-14", "un"),
]
# Earlier memberships, as the sources above state them (the current one is ilo_members.csv's
# latest admission). A start the source does not give is left empty: a Member since before then.
EARLIER_MEMBERSHIPS = [
    {"state": "ALB", "admitted": "1920", "withdrawn": "1967-08-05", "source": "WIKI_ILO_WITHDRAWALS"},
    {"state": "AUT", "admitted": "1919", "withdrawn": "1938", "source": "WIKI_ILO_WITHDRAWALS"},
    {"state": "CRI", "admitted": "", "withdrawn": "1927-01-01", "source": "WIKI_ILO_WITHDRAWALS"},
    {"state": "SLV", "admitted": "", "withdrawn": "1939", "source": "WIKI_ILO_WITHDRAWALS"},
    {"state": "DEU", "admitted": "", "withdrawn": "1935-10-21", "source": "WIKI_ILO_WITHDRAWALS"},
    {"state": "ZAF", "admitted": "", "withdrawn": "1966-03-11", "source": "NATIONS_ENC_ILO"},
    {"state": "VNM", "admitted": "", "withdrawn": "1985", "source": "NATIONS_ENC_ILO"},
    {"state": "USA", "admitted": "1934", "withdrawn": "1977-11", "source": "APH_USA_ILO_1980;TIME_USA_ILO_1977"},
]
# Names the ISO and ILO tables do not give, with the source that does. Former names map to the
# state now known by another name; common short names to the state they name.
FORMER_NAMES = {"Turkey": "TUR", "Swaziland": "SWZ", "Burma": "MMR", "Czech Republic": "CZE", "Cape Verde": "CPV",
                "Republic of Cape Verde": "CPV", "Ceylon": "LKA", "Siam": "THA", "Persia": "IRN", "Rhodesia": "ZWE",
                "East Pakistan": "BGD", "Macedonia": "MKD", "Republic of Macedonia": "MKD"}
COMMON_NAMES = {"Russia": "RUS", "Ivory Coast": "CIV", "East Timor": "TLS", "Brunei": "BRN", "Libya": "LBY",
                "Fiji Islands": "FJI", "Reunion": "REU", "Macao": "MAC", "Palestine": "PSE", "Moldova": "MDA"}
EXTRA_NAMES = [*((name, code, "former", "WPR_NAME_CHANGES") for name, code in FORMER_NAMES.items()),
               *((name, code, "common", "SAMAYO_COUNTRY_JSON") for name, code in COMMON_NAMES.items()),
               # Names a person may try that ISO 3166-1 gives no code: the resolver says what they are.
               ("Kosovo", "", "no ISO 3166-1 code", "PYCOUNTRY")]


def other_forms(name: str) -> list[str]:
    """'Korea, Republic of' also reads 'Republic of Korea' and, shortest, 'Korea'; 'Holy See (Vatican City
    State)' and 'Bolivia (Plurinational State of)' also read without their parenthesis."""
    if "(" in name:
        return [re.sub(r"\s*\(.*\)\s*$", "", name)]
    if ", " not in name:
        return []
    head, tail = name.split(", ", 1)
    return [f"{tail} {head}", head]


def country_names(shared: Path) -> list[dict]:
    """Every name a person may give a state or territory, with its kind and source: ISO 3166-1 (names,
    official and common names, the inverted and short forms of 'X, Y of' names), the ILO's names,
    and the former and common names of EXTRA_NAMES."""
    rows = []
    for row in read(shared / "un" / "ilo_members.csv"):
        rows += [{"iso3": row["iso3"], "name": name, "kind": kind, "source": "WIKI_ILO_MEMBERS"}
                 for kind, name in [("ilo_name", row["country"])] + [("ilo_short", n) for n in other_forms(row["country"])]]
    for country in pycountry.countries:
        names = [("iso_name", country.name)] + [(kind, getattr(country, attribute)) for kind, attribute in
                                                  (("iso_official", "official_name"), ("iso_common", "common_name"))
                                                  if hasattr(country, attribute)]
        names += [("iso_short", name) for name in other_forms(country.name)]
        rows += [{"iso3": country.alpha_3, "name": name, "kind": kind, "source": "PYCOUNTRY"} for kind, name in names]
    rows += [{"iso3": code and iso3_checked(code), "name": name, "kind": kind, "source": source}
             for name, code, kind, source in EXTRA_NAMES]
    unique: dict = {}
    for row in rows:
        unique.setdefault((row["iso3"], row["name"]), row)
    return sorted(unique.values(), key=lambda r: (r["iso3"], r["kind"], r["name"]))


# A successor State's declaration that it remains bound is registered at, or shortly before, its
# admission; a registration long before the latest admission belongs to an earlier membership.
SUCCESSION_WINDOW_DAYS = 2 * 366
SOURCE_FIELDS = ["source", "title", "url", "as_of", "folder", "licence"]
# Licences as the sources themselves state them; every other source states none we could verify.
WIKIPEDIA_COPIES = ("WIKI_C029", "WIKIVIS_C105", "WIKIMILI_C097", "WIKI2008_C138", "WIKI2015_C143", "WIKI_ILO_MEMBERS",
                    "WIKI_HT_SLE", "CRYER_C105", "INFOLIST_C181", "GUTENBERG_C182")
LICENCES = {**{source: "https://creativecommons.org/licenses/by-sa/4.0/" for source in WIKIPEDIA_COPIES},
            "OWID_ILO_REGIONS": "https://creativecommons.org/licenses/by/4.0/",
            "WIKI_UNTIP": "https://creativecommons.org/licenses/by-sa/4.0/",
            "ILOSTAT_GROUPINGS": "https://creativecommons.org/licenses/by/4.0/",
            "PYCOUNTRY": "https://spdx.org/licenses/LGPL-2.1-only.html"}


def read(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write(name: str, fields: list[str], rows: list[dict]) -> None:
    with (OUT / name).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{name}: {len(rows)} rows")


def iso3_checked(code: str) -> str:
    if not pycountry.countries.get(alpha_3=code):
        raise SystemExit(f"not an ISO 3166-1 alpha-3 code: {code!r}")
    return code


def first_date(text: str) -> str:
    """The as-of date a source states, reduced to ISO 8601 (day, month or year)."""
    match = re.search(r"\d{4}-\d{2}-\d{2}(?!\d)|\d{4}-\d{2}(?![\d-])|\b(?:19|20)\d{2}\b", text)
    return match.group(0) if match else ""


def sources(shared: Path) -> list[dict]:
    rows = {}
    for folder in ("ilo", "un", "supervision"):
        for line in (shared / folder / "SOURCES.md").read_text(encoding="utf-8").splitlines():
            cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
            if len(cells) < 3 or not re.fullmatch(r"[A-Z0-9_ /]+", cells[0]) or cells[0] in INSTRUMENT_IDS:
                continue
            url = re.search(r"https?://[^\s;)`]+", cells[2])
            as_of_text = cells[4] if len(cells) > 5 else ""
            for source_id in (s.strip() for s in cells[0].split("/")):
                rows[source_id] = {"source": source_id, "title": cells[1].split(" - ")[0][:120],
                                   "url": url.group(0) if url else "", "as_of": first_date(as_of_text),
                                   "folder": folder}
    rows.update({extra[0]: dict(zip(SOURCE_FIELDS, extra)) for extra in EXTRA_SOURCES})
    for source_id, row in rows.items():
        row["licence"] = LICENCES.get(source_id, "")
    return sorted(rows.values(), key=lambda r: r["source"])


# Relations the instrument texts state: P029's preamble and Art. 1, and the Recommendations' titles and preambles.
SUPPLEMENTS = {"P029": "C029", "R203": "C029;P029", "R146": "C138", "R190": "C182"}


def instruments(shared: Path) -> list[dict]:
    out = []
    for row in read(shared / "ilo" / "instruments.csv"):
        consent, denunciation = LEGAL_DELAYS["ilo"] if row["type"] != "recommendation" else ("", "")
        out.append({"code": row["code"], "title": row["title"], "type": row["type"],
                    "adopted": row["adopted"], "entry_into_force": row["entry_into_force"],
                    "ilc_session": row["ilc_session"], "revises": row["revises"],
                    "supplements": SUPPLEMENTS.get(row["code"], ""),
                    "fundamental": {"yes": "true", "no": "false"}.get(row["fundamental"], ""),
                    "parent": "", "untc": "", "consent_delay": consent, "denunciation_delay": denunciation,
                    "source": "ILO_INSTRUMENTS", "as_of": "2026-11-23"})
    for treaty in UN_TREATIES:
        consent, denunciation = LEGAL_DELAYS[treaty["code"]]
        out.append({**treaty, "ilc_session": "", "revises": "", "supplements": "", "fundamental": "",
                    "consent_delay": consent, "denunciation_delay": denunciation})
    return out


def annex_exclusions(notes: str) -> str:
    """'excluded the provisions of Annexes I to III' -> 'Annex I;Annex II;Annex III'."""
    match = re.search(r"excluded (?:the provisions of )?Annex(?:es)? ([IV]+)(?: (?:to|and) ([IV]+))?", notes)
    if not match:
        return ""
    numerals = ["I", "II", "III"]
    first, last = match.group(1), match.group(2) or match.group(1)
    return ";".join(f"Annex {n}" for n in numerals[numerals.index(first): numerals.index(last) + 1])


def consent_type(registered: str, admitted: str) -> tuple[str, str]:
    """The type of an ILO record and, where it is inferred, how (the ILO tables give no type)."""
    if not (registered and admitted) or registered > admitted:
        return "registration", ""
    before = (dt.date.fromisoformat(admitted) - dt.date.fromisoformat(registered)).days
    if before <= SUCCESSION_WINDOW_DAYS:
        return "succession", (f"inferred: registered {registered}, on or before the state's admission to the ILO "
                              f"({admitted}): a successor State's declaration that it remains bound")
    return "registration", (f"registered {registered}, long before the state's latest admission to the ILO "
                            f"({admitted}): during an earlier membership")


def ilo_ratifications(shared: Path) -> list[dict]:
    admitted = {row["iso3"]: row["member_since"] for row in read(shared / "un" / "ilo_members.csv")}
    out = []
    for row in read(shared / "ilo" / "ratifications.csv"):
        registered, year = row["ratified"], row["ratified_year"]
        precision = "day" if ISO_DATE.match(registered) else "year" if year else "unknown"
        kind, note = consent_type(registered if precision == "day" else "", admitted.get(row["iso3"], ""))
        out.append({"instrument": row["instrument"], "state": iso3_checked(row["iso3"]),
                    "registered": registered, "registered_year": year if precision == "year" else "",
                    "precision": precision, "consent_type": kind, "consent_note": note,
                    "status": row["status"].replace(" ", "_"),
                    "denounced": row["denounced"], "min_age": row["min_age"],
                    "excluded": annex_exclusions(row["notes"]),
                    "source": row["source"], "as_of": row["as_of"]})
    return out


# Dated observations of a C138 declared minimum age (Art. 2(1), raised only by Art. 2(2)): which source shows which
# age on which day. The c. 2008 Wikipedia table is dated by its latest listed ratification (2007-04-26).
AGE_SNAPSHOTS = {"CRBA_NLX_2023": "2023-05-11", "WIKI2008_C138": "2007-04-26"}
EARLIER_AGE = re.compile(r"earlier value (\d+) from WIKI2008_C138")
AGE_AT_RATIFICATION = re.compile(r"specified (\d+) years at ratification|minimum age (\d+) per")


def minimum_ages(shared: Path) -> list[dict]:
    """Every dated observation of a C138 declared age: the NORMLEX table (2023), the older snapshot where it
    differs or agrees, and the sources that state the age specified at ratification."""
    out = []
    for row in read(shared / "ilo" / "ratifications.csv"):
        if row["instrument"] != "C138" or not row["min_age"]:
            continue
        sources = row["source"].split(";")
        earlier = EARLIER_AGE.search(row["notes"])
        for source, held_on in AGE_SNAPSHOTS.items():
            if source in sources:
                age = earlier.group(1) if earlier and source == "WIKI2008_C138" else row["min_age"]
                out.append({"state": iso3_checked(row["iso3"]), "age": age, "held_on": held_on, "source": source,
                            "basis": "snapshot"})
        at_ratification = AGE_AT_RATIFICATION.search(row["notes"])
        if at_ratification and ISO_DATE.match(row["ratified"]):
            out.append({"state": iso3_checked(row["iso3"]), "age": at_ratification.group(1) or at_ratification.group(2),
                        "held_on": row["ratified"], "source": sources[-1] if "NLX_COMMENTS" in sources else sources[0],
                        "basis": "at ratification"})
    return sorted(out, key=lambda r: (r["state"], r["held_on"]))


def ilo_membership(shared: Path) -> list[dict]:
    """Every membership period: the current one from the member table, the earlier ones from EARLIER_MEMBERSHIPS."""
    current = [{"state": iso3_checked(row["iso3"]), "admitted": row["member_since"], "withdrawn": "",
                "source": "WIKI_ILO_MEMBERS", "as_of": "2025-02"} for row in read(shared / "un" / "ilo_members.csv")]
    earlier = [{**row, "as_of": ""} for row in EARLIER_MEMBERSHIPS]
    return sorted(current + earlier, key=lambda r: (r["state"], r["admitted"] or "0"))


def treaty_parties(shared: Path) -> list[dict]:
    out = []
    for treaty, name in TREATY_FILES.items():
        for row in read(shared / "un" / name):
            party = row["iso3"] and iso3_checked(row["iso3"]) or NON_STATE_PARTIES[row["country"]]
            consent = row["consent_date"]
            year = "" if consent else first_date(row["notes"])[:4] if "year" in row["notes"] or re.search(
                r"\bin (?:19|20)\d{2}\b", row["notes"]) else ""
            precision = "day" if consent else "year" if year else "unknown"
            out.append({"treaty": treaty, "party": party, "signed": row["signed"], "consent": consent,
                        "consent_year": year, "precision": precision, "consent_type": row["consent_type"],
                        "reservations": row["reservations"], "status": row["status"].replace(" ", "_"),
                        "entry_into_force": row["entry_into_force"], "source": row["source"],
                        "as_of": row["as_of"]})
    return out


def countries(shared: Path, mentioned: set[str]) -> list[dict]:
    out = {}
    for row in read(shared / "un" / "ilo_members.csv"):
        out[row["iso3"]] = {"iso3": iso3_checked(row["iso3"]), "iso2": row["iso2"], "name": row["country"],
                            "ilo_region": row["ilo_region"], "ilo_member_since": row["member_since"],
                            "source": row["source"], "as_of": "2025-02"}
    for code in sorted(mentioned - set(out) - set(NON_STATE_PARTIES.values())):
        country = pycountry.countries.get(alpha_3=code)
        out[code] = {"iso3": code, "iso2": country.alpha_2,
                     "name": getattr(country, "common_name", country.name), "ilo_region": "",
                     "ilo_member_since": "", "source": "PYCOUNTRY", "as_of": "2026-02-16"}
    return sorted(out.values(), key=lambda r: r["iso3"])


EVIDENCE_TIERS = [("sidebar", "sidebar_only"), ("referring", "referenced"), ("citing", "referenced"),
                  ("cited", "referenced"), ("NORMLEX", "text_seen")]


def comment_key(row: dict, seen: Counter) -> str:
    match = re.search(r"COMMENT_ID[^:]*%3A(\d+)", row["url"])
    base = f"{row['body']}-{match.group(1)}" if match else "-".join(
        filter(None, [row["body"], row["kind"], row["iso3"] or "GLOBAL", row["instrument"].split(";")[0],
                      row["adopted_year"]]))
    seen[base] += 1
    return base if seen[base] == 1 else f"{base}-{seen[base]}"


def comments(shared: Path) -> list[dict]:
    out, seen = [], Counter()
    for row in read(shared / "supervision" / "comments.csv"):
        tier = next((t for word, t in EVIDENCE_TIERS if word in row["source"]), "secondary")
        out.append({"comment": comment_key(row, seen), "body": row["body"], "kind": row["kind"],
                    "state": row["iso3"] and iso3_checked(row["iso3"]), "instruments": row["instrument"],
                    "year": row["adopted_year"], "session": row["published_session"], "topics": row["topics"],
                    "url": row["url"], "evidence": tier, "source": "NORMLEX_COMMENTS", "as_of": row["as_of"]})
    return out


def fill_as_of(rows: list[dict], source_dates: dict[str, str]) -> list[dict]:
    """A row with no as-of date of its own takes its primary source's; failing that, it says 'unknown'."""
    for row in rows:
        row["as_of"] = row["as_of"] or source_dates.get(row["source"].split(";")[0]) or "unknown"
    return rows


def main(shared: Path) -> None:
    source_rows = sources(shared)
    source_dates = {row["source"]: row["as_of"] for row in source_rows}
    ratifications = fill_as_of(ilo_ratifications(shared), source_dates)
    parties = fill_as_of(treaty_parties(shared), source_dates)
    supervision = comments(shared)
    mentioned = {r["state"] for r in ratifications} | {p["party"] for p in parties} | {
        c["state"] for c in supervision if c["state"]}
    write("sources.csv", SOURCE_FIELDS, source_rows)
    write("instruments.csv", ["code", "title", "type", "adopted", "entry_into_force", "ilc_session", "revises",
                              "supplements", "fundamental", "parent", "untc", "consent_delay", "denunciation_delay", "source",
                              "as_of"], instruments(shared))
    write("countries.csv", ["iso3", "iso2", "name", "ilo_region", "ilo_member_since", "source", "as_of"],
          countries(shared, mentioned))
    write("ratifications.csv", list(ratifications[0]), ratifications)
    write("country_names.csv", ["iso3", "name", "kind", "source", "as_of"], fill_as_of(
        [{**row, "as_of": ""} for row in country_names(shared)], source_dates))
    write("minimum_ages.csv", ["state", "age", "held_on", "basis", "source"], minimum_ages(shared))
    write("ilo_membership.csv", ["state", "admitted", "withdrawn", "source", "as_of"],
          fill_as_of(ilo_membership(shared), source_dates))
    write("treaty_parties.csv", list(parties[0]), parties)
    write("comments.csv", list(supervision[0]), supervision)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python scripts/import_sources.py SHARED_DATA_DIR")
    main(Path(sys.argv[1]))
