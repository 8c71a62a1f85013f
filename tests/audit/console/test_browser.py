"""The console in a real headless Chromium (Debian's chromium and chromium-driver, driven by
Selenium; nothing is downloaded: Selenium Manager is kept offline and given both paths). On
SQLite only, to keep the suite's time modest: the HTTP tests beside this file cover PostgreSQL.

Screenshots of the search page and the dashboard are saved in test-artifacts/console/ at the
repository's root (gitignored), to be looked at.
"""
from __future__ import annotations

import base64
import csv
import functools
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.audit.console.conftest import Console, Seeded, console_events
from tests.audit.console.test_search import cli_search
from tests.conftest import PASSWORD, USERS

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "console"

pytestmark = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def chromium(downloads: Path) -> Iterator[WebDriver]:
    for path in (CHROMIUM, CHROMEDRIVER):
        assert path.exists(), f"{path} is missing: scripts/test installs Debian's chromium and chromium-driver"
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never fetch a browser or a driver
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1366,900", "--lang=el-GR"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def log_in(driver: WebDriver, console: Console, username: str, password: str) -> None:
    driver.delete_all_cookies()
    driver.get(console.url("/login"))
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    follow(driver, driver.find_element(By.ID, "login"))


@pytest.fixture()
def browser(chromium: WebDriver, console: Console) -> WebDriver:
    """Chromium logged in as the auditor."""
    log_in(chromium, console, USERS.auditor, PASSWORD)
    assert chromium.current_url == console.url("/search")
    return chromium


def follow(driver: WebDriver, element: WebElement) -> None:
    """Click a link or button and wait until the next page has replaced this one."""
    page = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 15).until(_replaced(page))


def _replaced(page: WebElement) -> Callable[[WebDriver], bool]:
    """``staleness_of``, also when Chromium, caught mid-navigation, answers the old page's node with
    "Node with given id does not belong to the document" instead of a stale-element error."""
    def gone(_driver: WebDriver) -> bool:
        try:
            page.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc):
                return True
            raise
        return False

    return gone


def shot(driver: WebDriver, name: str) -> Path:
    """A full-page screenshot (Chromium's own, through the DevTools protocol) in SCREENSHOTS."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    picture = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
    target = SCREENSHOTS / f"{name}.png"
    target.write_bytes(base64.b64decode(picture["data"]))
    assert target.read_bytes().startswith(b"\x89PNG")
    return target


def test_refused_logins(chromium: WebDriver, console: Console) -> None:
    log_in(chromium, console, USERS.auditor, "a wrong password!")
    wrong = chromium.find_element(By.ID, "login-error").text
    assert "Λάθος όνομα χρήστη ή συνθηματικό" in wrong
    log_in(chromium, console, USERS.aade, PASSWORD)  # the right password, but no auditor role: the same answer
    assert chromium.find_element(By.ID, "login-error").text == wrong
    chromium.get(console.url("/dashboard"))
    assert chromium.current_url.startswith(console.url("/login"))


def test_a_search_typed_in_the_form_shows_the_clis_rows(browser: WebDriver, console: Console,
                                                         seeded: Seeded) -> None:
    browser.find_element(By.ID, "f-unit").send_keys(seeded.unit)
    browser.find_element(By.ID, "f-outcome").send_keys("OK")
    browser.find_element(By.ID, "f-subject_amka").send_keys(seeded.amka)
    Select(browser.find_element(By.ID, "f-order")).select_by_value("asc")
    follow(browser, browser.find_element(By.ID, "search"))
    shown = [row.get_attribute("data-call") for row in browser.find_elements(By.CSS_SELECTOR, "#results tbody tr")]
    expected = cli_search(console, "--unit", seeded.unit, "--outcome", "OK", "--subject-amka", seeded.amka)
    assert shown == [row["call_sequence_id"] for row in expected] == [
        seeded.birth_act, seeded.search_acts, seeded.certificate]
    assert browser.current_url == console.url("/search")  # a POST: no link can run a search
    assert f"unit={seeded.unit}" in browser.find_element(By.ID, "share-link").get_attribute("href")
    shot(browser, "search")
    follow(browser, browser.find_element(By.ID, "sort-time"))  # newest first
    assert [row.get_attribute("data-call") for row in browser.find_elements(By.CSS_SELECTOR, "#results tbody tr")] == [
        seeded.certificate, seeded.search_acts, seeded.birth_act]


def test_an_export_is_downloaded_and_parsed(browser: WebDriver, console: Console, seeded: Seeded,
                                            downloads: Path) -> None:
    browser.get(console.url(f"/search?unit={seeded.unit}&order=asc"))  # fills the form in
    follow(browser, browser.find_element(By.ID, "search"))
    before = set(downloads.iterdir())
    browser.find_element(By.ID, "export-csv").click()
    deadline = time.monotonic() + 30
    files: set[Path] = set()
    while time.monotonic() < deadline:
        files = {f for f in set(downloads.iterdir()) - before if f.suffix == ".csv"}
        if files:
            break
        time.sleep(0.2)
    assert len(files) == 1, f"no CSV downloaded into {downloads}"
    with next(iter(files)).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["call_sequence_id"] for row in rows] == [
        row["call_sequence_id"] for row in cli_search(console, "--unit", seeded.unit)]
    assert {row["audit_unit"] for row in rows} == {seeded.unit}


def test_a_call_masked_then_revealed_with_a_reason(browser: WebDriver, console: Console, seeded: Seeded) -> None:
    browser.get(console.url(f"/search?call_sequence_id={seeded.birth_act}"))
    follow(browser, browser.find_element(By.ID, "search"))
    follow(browser, browser.find_element(By.CSS_SELECTOR, "#results td.id a"))
    assert browser.current_url == console.url(f"/calls/{seeded.birth_act}")
    amka_cell = browser.find_element(By.CSS_SELECTOR, "#subjects td.amka")
    assert amka_cell.text == f"********{seeded.amka[-3:]}" and seeded.amka not in browser.page_source
    assert browser.find_element(By.ID, "seal-status").get_attribute("data-status") == "not-sealed"
    reason = f"Αίτημα πρόσβασης πολίτη {uuid.uuid4().hex[:6]}"
    browser.find_element(By.ID, "reason").send_keys(reason)
    follow(browser, browser.find_element(By.ID, "reveal"))
    assert browser.find_element(By.CSS_SELECTOR, "#subjects td.amka").text == seeded.amka
    assert reason in browser.find_element(By.ID, "revealed").text
    event = console_events(console, "revealSubjects", USERS.auditor)[-1]
    assert (event.purpose, event.outcome_detail) == (reason, seeded.birth_act)


def test_the_dashboard_charts(browser: WebDriver, console: Console, seeded: Seeded) -> None:
    follow(browser, browser.find_element(By.LINK_TEXT, "Εικόνα κλήσεων"))
    follow(browser, browser.find_element(By.PARTIAL_LINK_TEXT, "Σήμερα"))
    for chart in ("chart-daily", "chart-errors", "chart-heatmap"):
        svg = browser.find_element(By.ID, chart)
        assert svg.is_displayed() and svg.size["width"] > 300
        assert svg.find_elements(By.CSS_SELECTOR, "rect.mark"), chart
    legend = browser.find_element(By.CSS_SELECTOR, ".legend").text
    assert "AADE" in legend and "TDEATH" in legend
    assert USERS.aade in browser.find_element(By.ID, "top-users").text
    shot(browser, "dashboard")


def test_the_subject_report(browser: WebDriver, console: Console, seeded: Seeded) -> None:
    follow(browser, browser.find_element(By.LINK_TEXT, "Αναφορά πολίτη"))
    browser.find_element(By.ID, "amka").send_keys(seeded.amka)
    follow(browser, browser.find_element(By.ID, "make-report"))
    report = browser.find_element(By.ID, "report").text
    assert "Αναφορά πρόσβασης στα προσωπικά σας δεδομένα" in report
    for call_id in (seeded.birth_act, seeded.search_acts, seeded.certificate):
        assert call_id in report
    shot(browser, "subject-report")


def test_keyboard_skip_link_and_english(browser: WebDriver, console: Console) -> None:
    from selenium.webdriver.common.keys import Keys

    browser.get(console.url("/search"))
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    skip = browser.switch_to.active_element
    assert skip.get_attribute("class") == "skip" and skip.is_displayed()
    skip.send_keys(Keys.ENTER)
    assert browser.switch_to.active_element.get_attribute("id") == "main"
    for language, heading in (("en", "Search the call log"), ("el", "Αναζήτηση στο αρχείο κλήσεων")):
        follow(browser, browser.find_element(By.CSS_SELECTOR, f"button[lang={language}]"))
        WebDriverWait(browser, 10).until(lambda driver, heading=heading: driver.find_element(By.TAG_NAME, "h1").text == heading)
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == language


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """Another site: static pages served as http://localhost:<port>, while the console is
    http://127.0.0.1:<port>, so Chromium treats every request from one to the other as cross-site."""
    root = tmp_path_factory.mktemp("elsewhere")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://localhost:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_a_link_from_another_site_runs_no_search(browser: WebDriver, console: Console, seeded: Seeded,
                                                 elsewhere: tuple[Path, str]) -> None:
    root, site = elsewhere
    (root / "link.html").write_text(
        f'<a id="go" href="{console.url("/search")}?subject_amka={seeded.amka}&unit={seeded.unit}">look</a>',
        encoding="utf-8")
    searches = len(console_events(console, "search", USERS.auditor))
    browser.get(f"{site}/link.html")
    follow(browser, browser.find_element(By.ID, "go"))
    assert browser.current_url.startswith(console.url("/search?"))
    assert browser.find_elements(By.ID, "logout")  # the cookie went with the link: the auditor is in
    assert browser.find_element(By.ID, "f-subject_amka").get_attribute("value") == seeded.amka
    assert browser.find_elements(By.ID, "press-search") and not browser.find_elements(By.ID, "results")
    assert len(console_events(console, "search", USERS.auditor)) == searches  # nothing ran in the auditor's name


def test_a_link_to_a_call_from_another_site_asks_first(browser: WebDriver, console: Console, seeded: Seeded,
                                                       elsewhere: tuple[Path, str]) -> None:
    root, site = elsewhere
    (root / "call.html").write_text(f'<a id="go" href="{console.url("/calls/" + seeded.birth_act)}">look</a>',
                                    encoding="utf-8")
    views = len(console_events(console, "callDetail", USERS.auditor))
    browser.get(f"{site}/call.html")
    follow(browser, browser.find_element(By.ID, "go"))
    assert browser.find_element(By.ID, "confirm-message") and not browser.find_elements(By.ID, "fields")
    assert len(console_events(console, "callDetail", USERS.auditor)) == views
    follow(browser, browser.find_element(By.ID, "confirm-open"))  # now a link of the console itself
    assert browser.current_url == console.url(f"/calls/{seeded.birth_act}") and browser.find_element(By.ID, "fields")
    assert len(console_events(console, "callDetail", USERS.auditor)) == views + 1


@pytest.mark.parametrize("path", ["/logout", "/search", "/language"])
def test_a_form_from_another_site_is_refused_and_leaves_the_session(
        browser: WebDriver, console: Console, seeded: Seeded, elsewhere: tuple[Path, str], path: str) -> None:
    root, site = elsewhere
    (root / "form.html").write_text(
        f'<form method="post" action="{console.url(path)}"><input type="hidden" name="subject_amka" '
        f'value="{seeded.amka}"><input type="hidden" name="lang" value="en"><button id="go">go</button></form>',
        encoding="utf-8")
    cookie = browser.get_cookie("mitroo_console")
    assert cookie
    browser.get(f"{site}/form.html")
    follow(browser, browser.find_element(By.ID, "go"))
    assert browser.find_element(By.ID, "error-message").text  # refused: no cookie came (SameSite) nor a token
    assert browser.get_cookie("mitroo_console") == cookie  # the refusal did not replace the session cookie
    browser.get(console.url("/search"))
    assert browser.current_url == console.url("/search") and browser.find_elements(By.ID, "logout")


def test_a_next_to_another_site_stays_on_the_console(browser: WebDriver, console: Console,
                                                     elsewhere: tuple[Path, str]) -> None:
    _, site = elsewhere
    host = site.removeprefix("http://")
    for target in (f"//{host}/", f"/\\{host}/", f"{site}/"):
        browser.get(console.url("/login?next=") + target)
        assert browser.current_url.startswith(console.url("/")), target
    browser.get(console.url(f"/login?next=/%09/{host}/"))
    assert browser.current_url.startswith(console.url("/login"))
    assert "next" in browser.find_element(By.ID, "error-message").text

