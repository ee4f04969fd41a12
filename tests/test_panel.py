"""Issue 28: a panel of legal effect. Its cells say what `normgraph country` says for the day (a random sample of
places, days and instruments), its entries into force follow the tables (the oracle, from ratifications.csv and
treaty_parties.csv), and its codebook documents every column."""
from __future__ import annotations

import csv
import datetime as dt
import random

import pytest
from conftest import bundled_table, run_cli
from oracle import Expected

from normgraph.panel import COLUMNS, codebook, panel, panel_dates, places, wide_columns


@pytest.fixture(scope="module")
def sample(graph):
    """25 places and 20 days drawn at random (seeded), every instrument: 6,000 cells."""
    chooser = random.Random(28)
    chosen = chooser.sample(places(graph), 25)
    days = sorted({(dt.date(1950, 1, 1) + dt.timedelta(days=chooser.randrange(28_000))).isoformat() for _ in range(20)})
    return chosen, days, panel(days, chosen, graph=graph)


def test_every_sampled_cell_says_what_country_says(graph, sample):
    from normgraph.reports import adopted_by, country_profile

    chosen, days, rows = sample
    compared = 0
    for place in chosen:
        for day in days:
            profile = country_profile(place, day, graph)
            recorded = {line["instrument"]: line for line in profile["instruments"]}
            not_ratified = {line["instrument"] for line in profile["not_ratified"]}
            adopted = adopted_by(graph, day)
            for row in (r for r in rows if r["place"] == place and r["date"] == day):
                code, compared = row["instrument"], compared + 1
                if code in recorded and recorded[code]["covers_only"]:
                    assert row["status"] in ("undetermined", recorded[code]["status"]), row
                elif code in recorded:
                    assert (row["status"], row["bound"]) == (recorded[code]["status"], recorded[code]["bound"]), row
                    assert row["min_age"] == recorded[code]["min_age"]
                    if recorded[code].get("min_age_between"):
                        assert [row["min_age_low"], row["min_age_high"]] == recorded[code]["min_age_between"]
                elif code not in adopted:
                    assert row["status"] == "not yet adopted", row
                else:
                    assert code in not_ratified, row
                    assert row["status"] in ("not ratified", "not an ILO Member", "undetermined"), row
    assert compared >= 500


def test_entry_into_force_follows_the_tables(graph, sample):
    """ILO: 12 months after registration; UN: the 30th day after deposit (the oracle reads the tables)."""
    chosen, days, rows = sample
    expected = Expected()
    limited = {(r["state"], r["instrument"]) for r in bundled_table("territorial_application.csv")
               if r["kind"] == "ratification limited to the territory"}
    checked = 0
    for row in rows:
        if row["territory_of"] or (row["place"], row["instrument"]) in limited:
            continue
        status = expected.status(row["place"], row["instrument"], dt.date.fromisoformat(row["date"]))
        if status == 2:
            assert row["status"] in ("bound", "denounced") and row["bound"] in (True, False), row
        elif status == 1:
            assert row["status"] in ("undetermined", "not yet in force", "denounced"), row
        else:
            assert row["bound"] is not True, row
        checked += 1
    assert checked > 1000


def test_a_ratification_turns_bound_on_its_day(graph):
    """Near miss around one entry into force: Nepal's C029 (ratifications.csv) is "not yet in force" the day before
    the 12 months from its registration end, and bound on that day."""
    record = next(r for r in bundled_table("ratifications.csv") if (r["state"], r["instrument"]) == ("NPL", "C029"))
    registered = dt.date.fromisoformat(record["registered"])
    in_force = registered.replace(year=registered.year + 1)
    days = [(in_force - dt.timedelta(days=1)).isoformat(), in_force.isoformat()]
    statuses = [row["status"] for row in panel(days, ["NPL"], ["C029"], graph)]
    assert statuses == ["not yet in force", "bound"]


def test_the_codebook_documents_every_column(graph):
    codes = sorted({row["instrument"] for row in panel(panel_dates(2010, 2011), ["NPL", "HKG"], graph=graph)})
    for columns in (list(COLUMNS), wide_columns(codes)):
        book = codebook(graph, columns, ["2010-12-31", "2011-12-31"])
        documented = {line.split("|")[1].strip() for line in book.splitlines() if line.startswith("| ") and "---" not in line}
        assert set(columns) <= documented
        assert "queries/profiles/country-instruments.rq" in book and "ilo-ratifications" in book


def test_the_command_writes_the_panel_and_its_codebook(store_path, tmp_path):
    target = tmp_path / "panel.csv"
    result = run_cli("panel", "--from", "2015", "--to", "2016", "--country", "NPL", "--instrument", "P029",
                     "--shape", "wide", "-o", str(target), store=store_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [(r["date"], r["status_P029"]) for r in rows] == [("2015-12-31", "not ratified"), ("2016-12-31", "not ratified")]
    assert (tmp_path / "panel.codebook.md").read_text(encoding="utf-8").startswith("# normgraph panel: codebook")


@pytest.mark.parametrize("args, message", [
    (["--from", "1900"], "no earlier than 1919"), (["--from", "2001", "--to", "2000"], "no earlier than its first"),
    (["--country", "Atlantis"], "unknown country"), (["--instrument", "R203"], "binds no State"),
    (["--day", "02-29"], "not a day of every year")])
def test_bad_panel_requests_exit_2_and_write_nothing(store_path, tmp_path, args, message):
    target = tmp_path / "panel.csv"
    result = run_cli("panel", *args, "-o", str(target), store=store_path)
    assert result.returncode == 2 and message in result.stderr and not target.exists()
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("suffix", ["parquet", "dta"])
def test_parquet_and_stata_files_hold_what_the_csv_holds(store_path, tmp_path, suffix):
    """Issue 28, point 3: the files researchers open without converting (pandas reads both; R reads them with arrow
    and haven), the same cells as the CSV, and a codebook naming the file's own columns (Stata's status_UN_TIP)."""
    import pandas as pd

    args = ["panel", "--from", "2012", "--to", "2014", "--country", "NPL", "--country", "MAC", "--shape", "wide"]
    assert run_cli(*args, "-o", str(tmp_path / "p.csv"), store=store_path).returncode == 0
    result = run_cli(*args, "-o", str(tmp_path / f"p.{suffix}"), store=store_path)
    assert result.returncode == 0, result.stderr
    expected = pd.read_csv(tmp_path / "p.csv", keep_default_na=False, dtype=str)
    got = (pd.read_parquet if suffix == "parquet" else pd.read_stata)(tmp_path / f"p.{suffix}")
    if suffix == "dta":
        expected.columns = [c.replace("-", "_") for c in expected.columns]
    assert list(got.columns) == list(expected.columns)
    for column in expected.columns:
        values = got[column].map(lambda v: "" if pd.isna(v) else ("yes" if v is True else "no" if v is False else
                                                                  str(int(v)) if isinstance(v, float) else str(v)))
        assert list(values) == list(expected[column]), column
    book = (tmp_path / "p.codebook.md").read_text(encoding="utf-8")
    assert ("| status_UN_TIP |" if suffix == "dta" else "| status_UN-TIP |") in book


def test_a_missing_extra_names_the_install_command(tmp_path, monkeypatch):
    import sys

    from normgraph.errors import InputError
    from normgraph.panel import file_type

    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(InputError, match=r'pip install -e "\.\[panel\]"'):
        file_type(tmp_path / "p.parquet")
    assert file_type(tmp_path / "p.csv") == "csv"  # near miss: CSV needs no extra


def test_gap_columns_list_who_the_tables_say_is_in_the_gap(graph):
    """Issue 28, point 1: with gaps, a column per catalogue query says for each place and day whether it is in the
    gap, undetermined or not, as the oracle recomputes the pair gaps from the tables."""
    from normgraph.panel import panel_rows, wide

    days = ["2010-12-31", "2024-01-01"]
    codes, rows = panel_rows(days, None, ["C182"], graph, gaps=True)
    lines = list(wide(rows))
    expected = Expected()
    for day in days:
        answer = {line["place"]: line["gap_c182-without-c138"] for line in lines if line["date"] == day}
        listed = expected.has_without("C182", ["C138"], day)
        assert {place: value for place, value in answer.items() if value != "not"} == {
            place: "undetermined" if undetermined else "in the gap" for place, undetermined in listed.items()}
    assert "not" in {line["gap_c182-without-c138"] for line in lines}  # near miss: most places are in no gap
