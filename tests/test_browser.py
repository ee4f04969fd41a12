"""Issue 17: the web pages in a real browser (Debian's Chromium, driven by Selenium through chromedriver), against
`normgraph serve` run as a process. Screenshots of the main pages are kept in build/screenshots/ (or
$NORMGRAPH_SCREENSHOTS) as test artefacts. Without Chromium the tests skip and say why."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from oracle import Expected
from servers import free_port, stop, wait_until_answering

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(os.environ.get("NORMGRAPH_SCREENSHOTS") or Path(__file__).resolve().parents[1] / "build" / "screenshots")


def missing_browser() -> str | None:
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        return "Chromium and its driver are not installed (apt-get install chromium chromium-driver; .ci/run does it as root)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    return None


@pytest.fixture(scope="module")
def base_url(store_path):
    if missing_browser():
        pytest.skip(missing_browser())
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "normgraph", "serve", "--store", str(store_path), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until_answering(f"http://127.0.0.1:{port}/query", process, 60)
    yield f"http://127.0.0.1:{port}"
    stop(process)


@pytest.fixture(scope="module")
def downloads(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("downloads")


def chromium(downloads: Path, javascript: bool):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = shutil.which("chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1400"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False,
                                              "profile.managed_default_content_settings.javascript": 1 if javascript else 2})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.set_page_load_timeout(60)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return driver


@pytest.fixture(scope="module")
def browser(base_url, downloads):
    driver = chromium(downloads, javascript=True)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def browser_without_javascript(base_url, downloads):
    driver = chromium(downloads, javascript=False)
    yield driver
    driver.quit()


def by_id(driver, element_id: str):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, element_id)


def all_of(driver, selector: str) -> list:
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def submit(driver, button) -> None:
    """Click a button that loads a new page, and wait until the new page is there."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    old_page = driver.find_element(By.TAG_NAME, "html")
    button.click()

    def replaced(_driver) -> bool:
        # Chromium reports an old node either as stale or, mid-navigation, as one that "does not belong to the
        # document": both mean the old page is gone.
        try:
            return expected_conditions.staleness_of(old_page)(_driver)
        except WebDriverException as error:
            return "does not belong to the document" in str(error)
    WebDriverWait(driver, 30).until(replaced)
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")


def set_value(driver, element, value: str) -> None:
    """Type into a field the way a date picker fills it (typed dates depend on the browser's locale)."""
    driver.execute_script("arguments[0].value = arguments[1]", element, value)


def test_changing_the_date_on_a_country_page_shows_the_gap_that_opened(browser, base_url):
    later, earlier = dt.date(2024, 1, 1), dt.date(2000, 1, 1)
    expected = Expected()
    state = sorted(s for s, undetermined in expected.has_without("C182", ["C138"], later.isoformat()).items()
                   if not undetermined and expected.status(s, "C182", earlier) == 0)[0]
    browser.get(f"{base_url}/country/{state}?as_of={earlier}")
    assert not all_of(browser, "#gap-c182-without-c138")
    set_value(browser, all_of(browser, "form.dateform input[name=as_of]")[0], later.isoformat())
    submit(browser, all_of(browser, "form.dateform button")[0])
    assert browser.current_url.endswith(f"/country/{state}?as_of={later}")
    section = by_id(browser, "gap-c182-without-c138")
    assert "C138" in section.text and "legal basis" in section.text
    browser.save_screenshot(str(SCREENSHOTS / "country-date-changed.png"))
    browser.get(f"{base_url}/country/NPL?as_of=2019-01-01")  # the README's picture
    assert by_id(browser, "not-ratified").is_displayed()
    browser.save_screenshot(str(SCREENSHOTS / "country.png"))


def test_submitting_a_case_gives_the_memo_the_law_gives(browser, base_url):
    from selenium.webdriver.support.ui import Select

    cases = yaml.safe_load((Path(__file__).parent / "cases" / "trafficking.yaml").read_text(encoding="utf-8"))
    entry = next(c for c in cases if c["name"].startswith("an adult deceived and kept by threats"))
    facts = entry["case"]
    browser.get(f"{base_url}/case")
    set_value(browser, by_id(browser, "f-date"), str(facts["date"]))
    set_value(browser, by_id(browser, "f-person.age"), str(facts["person"]["age"]))
    for field in ("person.nationality", "work_country"):
        *parent, name = field.split(".")
        value = (facts[parent[0]] if parent else facts).get(name)
        if value:
            set_value(browser, by_id(browser, f"f-{field}"), value)
    for name, value in facts.get("movement", {}).items():
        Select(by_id(browser, f"f-movement.{name}")).select_by_value(str(value).lower())
    for group in ("acts", "means", "purpose", "involuntariness", "coercion"):
        for value in facts.get(group, []):
            all_of(browser, f"input[name={group}][value={value}]")[0].click()
    if facts.get("sector"):
        Select(by_id(browser, "f-sector")).select_by_visible_text(facts["sector"])
    submit(browser, by_id(browser, "assess"))
    memo = by_id(browser, "memo")
    applies = {item.get_attribute("data-situation") for item in all_of(browser, "#memo li.situation")
               if ": applies" in item.text}
    assert applies == set(entry["applies"]), memo.text
    assert "UN-TIP" in by_id(browser, "instruments").text
    browser.save_screenshot(str(SCREENSHOTS / "case.png"))


def test_a_sparql_query_runs_and_its_csv_downloads_without_javascript(browser_without_javascript, base_url, downloads):
    """The SPARQL page's own form, for a browser that runs no script: the editor never replaces it."""
    browser = browser_without_javascript
    browser.get(f"{base_url}/sparql")
    assert not all_of(browser, "#yasgui")
    query = by_id(browser, "query")
    assert "PREFIX ng:" in query.get_attribute("value")
    set_value(browser, query, "PREFIX ng: <https://w3id.org/normgraph#>\n"
                              "SELECT ?code WHERE { ?s a ng:State ; ng:iso3 ?code } ORDER BY ?code LIMIT 5")
    submit(browser, by_id(browser, "run"))
    cells = [cell.text for cell in all_of(browser, "#results td")]
    assert len(cells) == 5 and cells == sorted(cells)
    browser.save_screenshot(str(SCREENSHOTS / "sparql.png"))
    by_id(browser, "download-csv").click()
    target = downloads / "results.csv"
    deadline = time.monotonic() + 20
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert target.read_text(encoding="utf-8").split() == ["code", *cells]


def test_the_map_loads_with_every_drawn_state_coloured(browser, base_url):
    browser.get(f"{base_url}/map?instrument=C138&as_of=2010-01-01")
    shapes = all_of(browser, "#map path")
    assert len(shapes) > 150
    statuses = {shape.get_attribute("data-status") for shape in shapes}
    assert "bound" in statuses and "no record" in statuses
    assert by_id(browser, "map").size["width"] > 600
    browser.save_screenshot(str(SCREENSHOTS / "map.png"))
    browser.get(f"{base_url}/instrument/C029")
    assert all_of(browser, "svg.timeline polyline")
    browser.save_screenshot(str(SCREENSHOTS / "instrument.png"))
    browser.get(f"{base_url}/gaps")
    browser.save_screenshot(str(SCREENSHOTS / "gaps.png"))


SPARQL_EXAMPLE = ("PREFIX ng: <https://w3id.org/normgraph#>\n"
                  "SELECT ?code WHERE { ?s a ng:State ; ng:iso3 ?code } ORDER BY ?code LIMIT 5")


def editor_rows(browser) -> list[str]:
    """Run the query in YASGUI's editor and read the result table it draws (the value column of each row)."""
    from selenium.webdriver.support.ui import WebDriverWait

    by_id(browser, "yasgui")
    WebDriverWait(browser, 30).until(lambda d: d.find_elements("css selector", "#yasgui .CodeMirror"))
    all_of(browser, ".yasqe_queryButton")[0].click()
    # Read in one script, and only once two reads agree: the table is redrawn when an earlier run (the one a query
    # in the address starts) answers, and an element read across a redraw is stale.
    read = ("return Array.from(document.querySelectorAll('.yasr table tbody tr td:nth-child(2)'))"
            ".map(function (cell) { return cell.textContent; })")
    seen = []

    def settled(driver) -> bool:
        rows = driver.execute_script(read)
        settled_now = bool(rows) and rows == (seen[-1] if seen else None)
        seen.append(rows)
        return settled_now
    WebDriverWait(browser, 30, poll_frequency=0.3).until(settled)
    return seen[-1]


def test_the_sparql_editor_runs_a_query_as_the_page_does(browser, base_url):
    """Issue 27, point 4: with scripts on, the SPARQL page is YASGUI (vendored, so nothing is fetched from elsewhere)
    over this server's /query: syntax-highlighted editor, result table. Its rows are the rows the page's own form
    gives for the same query, and the page's policy lets no script or style in but its own (no violation logged)."""
    from urllib.parse import quote

    browser.get(f"{base_url}/sparql?query={quote(SPARQL_EXAMPLE)}")
    server_rows = [cell.get_attribute("textContent") for cell in all_of(browser, "#results td")]
    assert len(server_rows) == 5 and not by_id(browser, "page-result").is_displayed()  # the editor's table instead
    browser.execute_script("document.querySelector('#yasgui .CodeMirror').CodeMirror.setValue(arguments[0])",
                           SPARQL_EXAMPLE)
    assert editor_rows(browser) == server_rows
    assert all_of(browser, "#yasgui .cm-keyword")  # highlighted
    assert not [e for e in browser.get_log("browser") if "Content Security Policy" in e["message"]]
    browser.save_screenshot(str(SCREENSHOTS / "sparql-editor.png"))
    # Prefix completion, from the list YASGUI carries (nothing fetched): typing a prefix offers its namespace.
    from selenium.webdriver.support.ui import WebDriverWait

    browser.execute_script("var cm = document.querySelector('#yasgui .CodeMirror').CodeMirror; cm.setValue(''); cm.focus()")
    all_of(browser, "#yasgui .CodeMirror textarea")[0].send_keys("PREFIX dcter")
    WebDriverWait(browser, 10).until(lambda d: d.find_elements("css selector", ".CodeMirror-hints li"))
    assert "dcterms: <http://purl.org/dc/terms/>" in [hint.text for hint in all_of(browser, ".CodeMirror-hints li")]


def test_a_vocabulary_example_opens_in_the_editor_and_runs(browser, base_url):
    """Issue 27, point 10: an example query on the vocabulary page opens in the editor and runs there."""
    browser.get(f"{base_url}/vocabulary?as_of=2024-01-01")
    assert len(all_of(browser, "#terms tr")) > 100
    browser.save_screenshot(str(SCREENSHOTS / "vocabulary.png"))
    submit(browser, by_id(browser, "example-denounced"))
    rows = editor_rows(browser)
    assert rows and "denounced" not in rows  # rows of the query, not of the page
    browser.save_screenshot(str(SCREENSHOTS / "vocabulary-example.png"))


def test_the_sparql_editor_charts_a_counted_result(browser, base_url):
    """Issue 27, point 4 (charts): a result with a numeric column is drawn as bars, one a row, each labelled with
    its row's value, by the page's own chart (YASGUI's draws through Google Charts, which the policy refuses)."""
    from urllib.parse import quote

    counted = ("PREFIX ng: <https://w3id.org/normgraph#>\n"
               "SELECT ?code (COUNT(?r) AS ?records) WHERE { ?r ng:instrument/ng:code ?code } GROUP BY ?code ORDER BY ?code")
    browser.get(f"{base_url}/sparql?query={quote(counted)}")
    table = [[cell.get_attribute("textContent") for cell in row.find_elements("css selector", "td")]
             for row in all_of(browser, "#results tr")[1:]]
    editor_rows(browser)
    all_of(browser, ".yasr .select_chart")[0].click()
    labels = [text.get_attribute("textContent") for text in all_of(browser, "svg.normgraph-chart text")]
    assert len(all_of(browser, "svg.normgraph-chart rect")) == len(table) > 5
    assert labels == [part for code, count in table for part in (code, count)]
    browser.save_screenshot(str(SCREENSHOTS / "sparql-chart.png"))
