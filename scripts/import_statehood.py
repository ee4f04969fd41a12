"""Write normgraph/data/statehood.csv: the day each state listed by normgraph became independent, for states
created after the ILO was founded (1919-06-28), from the Gleditsch & Ward list (source GW_STATES).

Usage: pip install rdata; python scripts/import_statehood.py PATH/TO/gwstates.rda
(the file is data/gwstates.rda of github.com/andybega/states at the commit named in sources.csv).

Only the period that runs to the present counts. A state whose G&W date falls after an act of its own that the
data records (an ILO admission, a consent to a treaty) is left out and printed: G&W is a political-science list
(Zimbabwe from Rhodesia's 1965 declaration, Serbia from 2006 though the same State joined the ILO in 2000), and
where it disagrees with the legal record the legal record stands.
"""
from __future__ import annotations

import csv
import datetime as dt
import sys
import warnings
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "normgraph" / "data"
ILO_FOUNDED = dt.date(1919, 6, 28)
GW_AS_OF = "2025-08-25"  # the commit of the packaged list (sources.csv, GW_STATES)
STILL_EXISTS = 2932896  # G&W's "to the present": 9999-12-31 in days since 1970-01-01
# G&W spellings the resolver does not know, for the same State as the ISO code.
GW_SPELLINGS = {"SUR": "SUR", "BFO": "BFA", "BOS": "BIH", "MAC": "MKD", "BLR": "BLR", "DRC": "COD", "TAZ": "TZA",
                "PRK": "PRK", "MYA": "MMR", "SRI": "LKA", "CAM": "KHM", "DRV": "VNM", "WSM": "WSM"}


def earliest_acts() -> dict[str, str]:
    """Each state's first recorded act: an ILO admission or a consent to an instrument."""
    first: dict[str, str] = {}
    def note(state: str, day: str) -> None:
        if len(day) == 10 and (state not in first or day < first[state]):
            first[state] = day
    for name, state, day in (("ilo_membership.csv", "state", "admitted"), ("ratifications.csv", "state", "registered"),
                             ("treaty_parties.csv", "party", "consent")):
        with (DATA / name).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                note(row[state], row[day])
    return first


def main(rda: Path) -> None:
    import rdata

    from normgraph.ids import InputError, country_code

    warnings.simplefilter("ignore")  # rdata warns that it returns R Dates as numbers
    table = rdata.read_rda(str(rda))["gwstates"]
    with (DATA / "countries.csv").open(encoding="utf-8") as handle:
        ours = {row["iso3"] for row in csv.DictReader(handle)}
    acts, rows = earliest_acts(), []
    for _, state in table.iterrows():
        independent = dt.date(1970, 1, 1) + dt.timedelta(days=int(state.start))
        if int(state.end) != STILL_EXISTS or independent <= ILO_FOUNDED:
            continue
        try:
            code = GW_SPELLINGS.get(state.gwc) or country_code(state.country_name)
        except InputError:
            continue
        if code not in ours:
            continue
        if code in acts and acts[code] < independent.isoformat():
            print(f"left out {code}: G&W {independent}, but its own act on {acts[code]}")
            continue
        rows.append({"state": code, "independent": independent.isoformat(), "source": "GW_STATES",
                     "as_of": GW_AS_OF})
    rows.sort(key=lambda r: r["state"])
    with (DATA / "statehood.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["state", "independent", "source", "as_of"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"statehood.csv: {len(rows)} rows")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python scripts/import_statehood.py PATH/TO/gwstates.rda")
    main(Path(sys.argv[1]))
