"""Legal time: when a consent takes effect, checked against the rules in the instruments' final articles."""
import datetime as dt

from normgraph.loaders.legal_time import add_duration, binding_ends, in_force_window

D = dt.date


def test_ilo_ratification_binds_twelve_months_after_registration():
    window = in_force_window(registered=D(2019, 9, 16), year=None, as_of="2023", delay="P12M",
                             instrument_in_force=D(2016, 11, 9))
    assert window.earliest == window.latest == window.exact == D(2020, 9, 16)


def test_not_before_the_instrument_itself_is_in_force():
    # Niger registered P029 on 2015-06-14; the Protocol entered into force on 2016-11-09.
    window = in_force_window(registered=D(2015, 6, 14), year=None, as_of="", delay="P12M",
                             instrument_in_force=D(2016, 11, 9))
    assert window.exact == D(2016, 11, 9)


def test_palermo_consent_takes_effect_on_the_thirtieth_day_but_not_before_2003_12_25():
    assert in_force_window(registered=D(2020, 6, 16), year=None, as_of="", delay="P30D",
                           instrument_in_force=D(2003, 12, 25)).exact == D(2020, 7, 16)
    assert in_force_window(registered=D(2002, 8, 21), year=None, as_of="", delay="P30D",
                           instrument_in_force=D(2003, 12, 25)).exact == D(2003, 12, 25)


def test_a_year_only_registration_gives_a_window_not_a_guess():
    window = in_force_window(registered=None, year=2006, as_of="2013", delay="P12M", instrument_in_force=D(1978, 12, 9))
    assert (window.earliest, window.latest, window.exact) == (D(2007, 1, 1), D(2007, 12, 31), None)


def test_an_undated_party_is_bounded_by_its_source_date_or_not_at_all():
    dated = in_force_window(registered=None, year=None, as_of="2010", delay="P12M", instrument_in_force=D(1952, 1, 22))
    assert (dated.earliest, dated.latest) == (D(1952, 1, 22), D(2011, 12, 31))
    undated = in_force_window(registered=None, year=None, as_of="unknown", delay="P12M", instrument_in_force=D(1952, 1, 22))
    assert (undated.earliest, undated.latest) == (D(1952, 1, 22), None)


def test_month_ends_and_denunciations():
    assert add_duration(D(2020, 2, 29), "P12M") == D(2021, 2, 28)
    assert binding_ends(D(1979, 4, 19), "P12M") == D(1980, 4, 19)
    assert binding_ends(None, "P12M") is None


def test_a_record_is_pending_from_its_year_of_consent_to_its_latest_entry_into_force():
    # Niger's P029: registered 2015-06-14, bound from 2016-11-09, so pending in 2015 and 2016.
    assert list(in_force_window(registered=D(2015, 6, 14), year=None, as_of="", delay="P12M",
                                instrument_in_force=D(2016, 11, 9)).pending_years) == [2015, 2016]
    assert list(in_force_window(registered=None, year=2006, as_of="2013", delay="P12M",
                                instrument_in_force=D(1978, 12, 9)).pending_years) == [2006, 2007]
    undated = in_force_window(registered=None, year=None, as_of="2010", delay="P12M", instrument_in_force=D(1952, 1, 22))
    assert list(undated.pending_years) == []


# ---- Legal time, part two: succession, membership, instruments that did not yet exist, fresher data.
# Expectations are read from the bundled tables and the texts, never from normgraph's answers.

import pytest  # noqa: E402
from conftest import bundled_table, run_cli  # noqa: E402


def row(table: str, **match) -> dict:
    return next(r for r in bundled_table(table) if all(r[k] == v for k, v in match.items()))


def profile_entry(graph, state: str, on: str, code: str) -> dict | None:
    from normgraph.reports import country_profile

    return next((i for i in country_profile(state, on, graph)["instruments"] if i["instrument"] == code), None)


@pytest.mark.parametrize("state,registered", [("MNE", "2006-06-03"), ("SVK", "1993-01-01")])
def test_a_successor_state_is_bound_from_the_date_of_succession(graph, state, registered):
    record = row("ratifications.csv", instrument="C029", state=state)
    assert (record["registered"], record["consent_type"]) == (registered, "succession")
    assert "inferred" in record["consent_note"]
    a_day_later = (D.fromisoformat(registered) + dt.timedelta(days=1)).isoformat()
    entry = profile_entry(graph, state, a_day_later, "C029")
    assert (entry["status"], entry["in_force_from"]) == ("bound", registered)  # not 12 months later


def test_a_un_succession_takes_effect_from_the_date_of_succession_not_thirty_days_later(graph):
    # Changed (issue 25): from the date of succession (VCSST 1978 Arts. 23(1), 34), Montenegro's independence in
    # statehood.csv, not from the later notice (the record's date) nor 30 days after it.
    record = row("treaty_parties.csv", treaty="UN-TIP", party="MNE")
    assert record["consent_type"] == "succession"
    entry = profile_entry(graph, "MNE", "2006-11-15", "UN-TIP")
    assert (entry["status"], entry["in_force_from"]) == ("bound", row("statehood.csv", state="MNE")["independent"])


def test_a_registration_during_an_earlier_membership_is_not_a_succession():
    # Albania: C029 registered in 1957, a Member from 1920 to 1967 and again since 1991.
    record = row("ratifications.csv", instrument="C029", state="ALB")
    assert record["consent_type"] == "registration" and "earlier membership" in record["consent_note"]
    assert row("ilo_membership.csv", state="ALB", withdrawn="1967-08-05")["admitted"] == "1920"


def lacked(graph, on: str) -> set[str]:
    from normgraph.queries.catalogue import catalogue
    from normgraph.reports import gaps

    params = {"corridor": {"origin": "NPL", "destination": "QAT"}}
    return {code for name in catalogue() for r in gaps(name, on, graph, **params.get(name, {}))["rows"]
            for code in r["lacks"]}


@pytest.mark.parametrize("code", ["P029", "C182", "C181", "UN-TIP"])
def test_no_gap_faults_a_state_for_an_instrument_not_yet_adopted(graph, code):
    adopted = D.fromisoformat(row("instruments.csv", code=code)["adopted"])
    assert code not in lacked(graph, (adopted - dt.timedelta(days=1)).isoformat())
    assert code in lacked(graph, (adopted + dt.timedelta(days=3 * 366)).isoformat())


def ilo_gap_states(graph, on: str) -> set[str]:
    from normgraph.reports import gaps

    return {r["country"] for r in gaps("fundamentals-incomplete", on, graph)["rows"]}


def test_ilo_gaps_list_members_on_the_date_only(graph):
    # The United States: a Member since 1934, withdrawn in November 1977, readmitted 1980-02-18.
    # (Changed, issue 25: the fundamental Conventions were named in 1998, so the withdrawal is checked on the
    # membership query every ILO gap reads.)
    from normgraph.queries.catalogue import run_named

    assert row("ilo_membership.csv", state="USA", admitted="1934")["withdrawn"] == "1977-11"
    for day, member in (("1977-06-01", True), ("1978-06-01", False), ("1980-03-01", True)):
        assert bool(run_named(graph, "profiles", "ilo-membership", asOf=day, state="USA")) is member
    assert "USA" in ilo_gap_states(graph, "2000-01-01")
    # South Sudan: admitted 2012-04-29 (it did not exist before 2011-07-09).
    admitted = row("ilo_membership.csv", state="SSD")["admitted"]
    assert "SSD" not in ilo_gap_states(graph, "2000-01-01")
    assert "SSD" not in ilo_gap_states(graph, (D.fromisoformat(admitted) - dt.timedelta(days=1)).isoformat())


def test_un_gaps_cover_states_that_are_not_ilo_members(graph):
    from normgraph.reports import gaps

    countries = {r["iso3"]: r for r in bundled_table("countries.csv")}
    parties = {(r["treaty"], r["party"]) for r in bundled_table("treaty_parties.csv") if r["status"] == "party"}
    holy_see = countries["VAT"]
    assert not holy_see["ilo_region"] and ("UNTOC", "VAT") in parties and ("UN-TIP", "VAT") not in parties
    assert "VAT" in {r["country"] for r in gaps("untoc-without-palermo", "2024-01-01", graph)["rows"]}


@pytest.mark.parametrize("on", ["1990-01-01", "2005-01-01"])
def test_no_gap_lists_a_state_before_it_existed(graph, on):
    from normgraph.queries.catalogue import catalogue
    from normgraph.reports import gaps

    not_yet = {r["state"] for r in bundled_table("statehood.csv") if r["independent"] > on}
    assert {"SSD", "MNE"} <= not_yet  # independent 2011-07-09 and 2006-06-03 (Gleditsch & Ward)
    params = {"corridor": {"origin": "NPL", "destination": "QAT"}}
    listed = {r["country"] for name in catalogue() for r in gaps(name, on, graph, **params.get(name, {}))["rows"]}
    assert listed and not listed & not_yet


def test_a_state_before_its_independence_has_no_report_and_no_case(store_path, tmp_path):
    import json

    independent = row("statehood.csv", state="SSD")["independent"]
    before = (D.fromisoformat(independent) - dt.timedelta(days=1)).isoformat()
    report = json.loads(run_cli("gaps", "--country", "SSD", "--as-of", before, "--format", "json",
                                store=store_path).stdout)
    assert (report["a_state_on_date"], report["independent_since"], report["gaps"]) == (False, independent, [])
    on_the_day = json.loads(run_cli("country", "SSD", "--as-of", independent, "--format", "json", store=store_path).stdout)
    assert on_the_day["a_state_on_date"] is True
    case = tmp_path / "case.yaml"
    case.write_text(f"id: juba\ndate: {before}\nperson: {{age: 15}}\nwork_country: SSD\n", encoding="utf-8")
    refused = run_cli("applies", str(case), store=store_path)
    assert refused.returncode == 2 and "did not exist as a State" in refused.stderr
    case.write_text(f"id: juba\ndate: {independent}\nperson: {{age: 15}}\nwork_country: SSD\n", encoding="utf-8")
    assert run_cli("applies", str(case), store=store_path).returncode == 0


def test_a_non_member_is_told_so_not_given_an_empty_report(store_path):
    import json

    assert not row("countries.csv", iso3="LIE")["ilo_region"]
    report = json.loads(run_cli("gaps", "--country", "LIE", "--format", "json", store=store_path).stdout)
    assert report["ilo_member"] is False
    table = run_cli("gaps", "--country", "LIE", store=store_path)
    assert "not an ILO Member" in table.stdout.replace("\n", " ")


def test_the_fifth_pass_rows_are_in_the_graph(graph):
    record = row("ratifications.csv", instrument="C138", state="AUS")
    assert (record["registered"], record["min_age"]) == ("2023-06-13", "15")
    entry = profile_entry(graph, "AUS", "2024-06-13", "C138")
    assert (entry["status"], entry["min_age"]) == ("bound", 15)
    for code in ("C097", "C143", "C181"):
        assert profile_entry(graph, "SOM", "2024-01-01", code)["status"] == "bound"


def assess(classifier_graph, **facts) -> dict:
    from normgraph.applies import Classifier
    from normgraph.cases.case import parse_case

    return Classifier(classifier_graph).applies(parse_case({"date": "2023-06-01", **facts}, "territory"))


def bound_for(answer: dict, code: str, state: str):
    instrument = next(i for i in answer["instruments"] if i["instrument"] == code)
    return instrument["bound"][state], instrument["status"][state]


@pytest.mark.parametrize("place,expected", [("Sabah", True), ("MY-14", False), (None, None)])
def test_a_ratification_for_sabah_only_does_not_reach_kuala_lumpur(graph, place, expected):
    scope = row("territorial_application.csv", instrument="C097", state="MYS")
    assert row("territories.csv", territory=scope["territory"])["name"] == "Sabah"
    assert row("ratifications.csv", instrument="C097", state="MYS")["registered"] < "2022"
    facts = {"person": {"age": 30, "nationality": "IDN"}, "work_country": "MYS",
             "movement": {"cross_border": True, "lawfully_present": True}}
    answer = assess(graph, **facts, **({"work_place": place} if place else {}))
    bound, status = bound_for(answer, "C097", "MYS")
    assert bound is expected
    assert "Sabah" in status  # the answer says why: in force for Sabah, not at the place, or the place not given


def test_a_hong_kong_workplace_is_covered_by_chinas_declarations(graph):
    declaration = row("territorial_application.csv", instrument="C029", state="CHN", territory="HKG")
    assert declaration["applies_by"] == "1997-07-01" and "Art. 35" in declaration["kind"]
    facts = {"person": {"age": 30, "nationality": "PHL"}, "work_country": "HKG",
             "involuntariness": ["no_freedom_to_leave"], "coercion": ["threat"]}
    assert bound_for(assess(graph, **facts), "C029", "HKG")[0] is True
    # Before 1 July 1997 Hong Kong was a UK territory; the sources do not date that application.
    assert bound_for(assess(graph, **{**facts, "date": "1990-01-01"}), "C029", "HKG") == (None, "undetermined")


def test_country_names_the_state_responsible_for_a_territory(store_path):
    import json

    profile = json.loads(run_cli("country", "HKG", "--format", "json", store=store_path).stdout)
    assert profile["territory_of"] == "CHN"
    assert {i["instrument"] for i in profile["instruments"]} == {
        r["instrument"] for r in bundled_table("territorial_application.csv") if r["territory"] == "HKG"}


def test_macao_is_covered_by_chinas_declarations_before_china_itself_is_bound(graph):
    from normgraph.reports import country_profile

    declared = {r["instrument"]: r["applies_by"] for r in bundled_table("territorial_application.csv")
                if r["territory"] == "MAC" and r["applies_by"]}  # continued on China's resumption of sovereignty
    assert declared == {"C029": "1999-12-20", "C105": "1999-12-20"}
    china_c029 = row("ratifications.csv", instrument="C029", state="CHN")["registered"]
    on = "2010-01-01"
    assert china_c029 > on  # China itself ratified C029 only in 2022
    macao = {i["instrument"]: i for i in country_profile("Macao", on, graph)["instruments"]}
    assert {code: macao[code]["bound"] for code in declared} == {"C029": True, "C105": True}
    assert "C029" not in {i["instrument"] for i in country_profile("CHN", on, graph)["instruments"] if i["bound"]}


def status_on(graph, state: str, code: str, day: str) -> str | None:
    from normgraph.queries.catalogue import run_named

    rows = {row["instrument"]: row for row in run_named(graph, "profiles", "country-instruments", asOf=day, state=state)}
    return rows[code]["status"] if code in rows else None


def test_a_un_succession_counts_from_the_date_of_succession(graph):
    """VCSST 1978 Arts. 23(1), 34: the successor State is a party from the date of the succession of States.
    Montenegro (independent 2006-06-03, data/statehood.csv) notified its succession to UN-TIP, UNTOC and OPSC on
    2006-10-23 (treaty_parties.csv): on 2006-07-01 it is bound, as by its ILO records; the day before its
    independence it is not (a near miss)."""
    import csv
    from importlib import resources

    with resources.files("normgraph.data").joinpath("treaty_parties.csv").open(encoding="utf-8") as handle:
        notices = {row["treaty"]: row["consent"] for row in csv.DictReader(handle)
                   if row["party"] == "MNE" and row["consent_type"] == "succession"}
    assert notices == {"UN-TIP": "2006-10-23", "UNTOC": "2006-10-23", "OPSC": "2006-10-23"}
    for code in notices:
        assert status_on(graph, "MNE", code, "2006-07-01") == "bound", code
        assert status_on(graph, "MNE", code, "2006-06-02") is None, code
    assert status_on(graph, "MNE", "C029", "2006-07-01") == "bound"


def test_an_inferred_untoc_party_is_bound_no_later_than_by_its_protocol(graph):
    """UNTOC Art. 37(2): only a party to the Convention joins its Protocols, and both take effect 30 days after
    deposit: Eritrea's UNTOC record, inferred from its UN-TIP accession (deposited 2014-09-25, in force
    2014-10-25), binds by 2014-10-25; before that it stays undetermined (a near miss)."""
    protocol = row("treaty_parties.csv", treaty="UN-TIP", party="ERI")
    untoc = row("treaty_parties.csv", treaty="UNTOC", party="ERI")
    assert not untoc["consent"] and "INFERRED" in untoc["source"]  # the table dates no UNTOC consent
    in_force = (D.fromisoformat(protocol["consent"]) + dt.timedelta(days=30)).isoformat()  # UN-TIP Art. 17(2)
    day_before = (D.fromisoformat(in_force) - dt.timedelta(days=1)).isoformat()
    assert status_on(graph, "ERI", "UN-TIP", in_force) == status_on(graph, "ERI", "UNTOC", in_force) == "bound"
    assert status_on(graph, "ERI", "UNTOC", day_before) == "undetermined"


def test_un_treaties_apply_to_macao_and_not_to_hong_kong_as_china_declared(graph):
    """territorial_application.csv, from the Macao Official Gazette (notice 13/2010) and UNTC Chapter IV.11.c
    note 2: UN-TIP applies to Macao from 2010-03-10 and, until China notifies otherwise, not to Hong Kong; OPSC
    applies to Macao as it binds China, and not to Hong Kong. A declaration of non-application is its own status,
    never a missing record."""
    declared = {(r["instrument"], r["territory"]): r for r in bundled_table("territorial_application.csv")
                if r["state"] == "CHN" and r["instrument"] in ("UN-TIP", "OPSC")}
    start = declared["UN-TIP", "MAC"]["applies_from"]
    assert status_on(graph, "MAC", "UN-TIP", start) == "bound"
    day_before = (D.fromisoformat(start) - dt.timedelta(days=1)).isoformat()
    assert status_on(graph, "MAC", "UN-TIP", day_before) == "not yet in force"  # near miss: the day before
    for code in ("UN-TIP", "OPSC"):
        assert declared[code, "HKG"]["applies"] == "no" and declared[code, "MAC"]["applies"] == "yes"
        assert status_on(graph, "HKG", code, "2015-01-01") == "not applied to the territory"
    china_opsc = row("treaty_parties.csv", treaty="OPSC", party="CHN")["consent"]  # Macao: as OPSC binds China
    assert status_on(graph, "MAC", "OPSC", "2015-01-01") == status_on(graph, "CHN", "OPSC", "2015-01-01") == "bound"
    assert china_opsc < "2015-01-01"
    assert status_on(graph, "HKG", "C029", "2015-01-01") == "bound"  # ILO: China's Art. 35 declaration


def test_the_pair_gaps_ask_a_territory_through_the_state_that_answers_for_it(graph):
    """Issue 25, point 1 (territorial_application.csv; ILO Constitution Art. 35): UN-TIP applies to Macao from
    2010-03-10 and not to Hong Kong; China is bound by UNTOC but no source says it applies UNTOC to Hong Kong, so
    Hong Kong is listed by untoc-without-palermo as undetermined, and Macao (both apply) not at all. Macao lacks
    C181 (China has not ratified it) once UN-TIP applies there, not the day before (a near miss). Before China answered for Hong Kong
    (territories.csv: 1997-07-01), what applied there is undetermined, and nothing is had before its adoption."""
    from normgraph.reports import gap_report, gaps

    def listed(name, on):
        return {r["country"]: r["undetermined"] for r in gaps(name, on, graph)["rows"] if r["country"] in ("HKG", "MAC")}

    macao_tip = row("territorial_application.csv", instrument="UN-TIP", territory="MAC")["applies_from"]
    assert row("territorial_application.csv", instrument="UN-TIP", territory="HKG")["applies"] == "no"
    assert not [r for r in bundled_table("territorial_application.csv") if (r["instrument"], r["territory"]) == ("UNTOC", "HKG")]
    assert listed("untoc-without-palermo", "2019-01-01") == {"HKG": True}
    assert listed("palermo-without-p029", "2019-01-01") == {"MAC": False}
    assert not [r for r in bundled_table("ratifications.csv") if (r["instrument"], r["state"]) == ("C181", "CHN")]
    assert listed("palermo-without-c181", macao_tip) == {"MAC": False}
    day_before = (D.fromisoformat(macao_tip) - dt.timedelta(days=1)).isoformat()
    assert listed("palermo-without-c181", day_before) == {}
    answered_from = row("territories.csv", territory="HKG")["answered_from"]
    before = (D.fromisoformat(answered_from) - dt.timedelta(days=365)).isoformat()
    assert listed("c029-without-c105", before)["HKG"] is True
    assert "HKG" not in listed("c182-without-c138", before)  # C182 was adopted in 1999
    report = gap_report("HKG", "2019-01-01", graph)
    assert {g["query"] for g in report["gaps"]} >= {"untoc-without-palermo"} and report["territory_of"] == "CHN"
