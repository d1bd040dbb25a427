"""One case from application to enrolment through the UI alone, then its trail as the inspector."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.support import PASSWORD, VILLAGE_A1, World, id_number

pytestmark = pytest.mark.slow


class Session:
    """A person at the browser: signs in, opens pages, presses buttons."""

    def __init__(self, driver: WebDriver, base: str, shots: Path) -> None:
        self.driver = driver
        self.base = base
        self.shots = shots

    def open(self, path: str) -> None:
        self.driver.get(self.base + path)

    def sign_in(self, username: str) -> None:
        self.open("/ui/signin")
        self.driver.find_element(By.ID, "username").send_keys(username)
        self.driver.find_element(By.ID, "password").send_keys(PASSWORD)
        self.driver.find_element(By.ID, "sign-in").click()
        WebDriverWait(self.driver, 10).until(ec.presence_of_element_located((By.ID, "sign-out")))
        assert username in self.driver.page_source

    def sign_out(self) -> None:
        self.driver.find_element(By.ID, "sign-out").click()
        WebDriverWait(self.driver, 10).until(ec.presence_of_element_located((By.ID, "sign-in")))

    def state(self) -> str:
        """The case's state as the page shows it, read again while a redirect replaces it."""
        wait = WebDriverWait(self.driver, 10, ignored_exceptions=(StaleElementReferenceException,))
        return str(
            wait.until(lambda d: d.find_element(By.ID, "case-state").get_attribute("data-state"))
        )

    def press(self, trigger: str, reason: str = "") -> None:
        """Press a trigger's button on the case page, with a reason."""
        form = self.driver.find_element(By.CSS_SELECTOR, f'form[data-trigger="{trigger}"]')
        if reason:
            form.find_element(By.NAME, "reason").send_keys(reason)
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        try:
            WebDriverWait(self.driver, 10).until(ec.staleness_of(form))
        except Exception:
            self.screenshot(f"failed-{trigger}")
            raise

    def screenshot(self, name: str) -> None:
        height = self.driver.execute_script("return document.body.scrollHeight")
        self.driver.set_window_size(1400, min(max(int(height), 800), 5000))
        self.driver.save_screenshot(str(self.shots / f"{name}.png"))
        self.driver.set_window_size(1400, 1000)


def apply(s: Session) -> int:
    """The clerk fills in the application form; returns the new case's number."""
    s.open("/admin/apply/")
    Select(s.driver.find_element(By.ID, "village_code")).select_by_value(VILLAGE_A1)
    rows = (("王大山", "self", "150"), ("李小花", "spouse", "100"))
    for i, (name, relation, wages) in enumerate(rows):
        s.driver.find_element(By.NAME, f"m-{i}-id_number").send_keys(id_number(male=i == 0))
        s.driver.find_element(By.NAME, f"m-{i}-name").send_keys(name)
        Select(s.driver.find_element(By.NAME, f"m-{i}-relation")).select_by_value(relation)
        s.driver.find_element(By.NAME, f"m-{i}-wages").send_keys(wages)
    s.driver.find_element(By.CSS_SELECTOR, "#application-form button[type=submit]").click()
    WebDriverWait(s.driver, 10).until(ec.presence_of_element_located((By.ID, "case-state")))
    found = re.search(r"/admin/case/(\d+)", s.driver.current_url)
    assert found, s.driver.current_url
    return int(found.group(1))


def investigate(s: Session) -> None:
    """The clerk records the household investigation with two investigators."""
    picker = Select(s.driver.find_element(By.ID, "inv-investigators"))
    picker.select_by_value("clerk")
    picker.select_by_value("clerk2")
    s.driver.find_element(By.ID, "inv-findings").send_keys("入户核实：收入与申报一致")
    s.driver.find_element(By.ID, "record-investigation").click()
    WebDriverWait(s.driver, 10).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, ".doudi-flash"))
    )


def test_a_case_goes_from_application_to_active_through_the_ui(
    chrome: WebDriver, server: str, world: World, artifacts: Path
) -> None:
    s = Session(chrome, server, artifacts)

    s.sign_in("clerk")
    case_id = apply(s)
    assert s.state() == "submitted"
    s.press("accept", "材料齐全")
    s.press("start_investigation")
    investigate(s)
    assert s.state() == "investigating"
    s.open("/admin/queue/")
    assert chrome.find_element(By.CSS_SELECTOR, f'tr[data-case="{case_id}"]')
    s.screenshot("queue-clerk")
    s.sign_out()

    s.sign_in("reviewer")
    s.open(f"/admin/case/{case_id}")
    s.press("propose", "符合低保条件")
    s.press("publish_notice")
    assert s.state() == "in_public_notice"
    # closing before the seven days is refused, and the page says why
    s.press("close_notice")
    assert s.state() == "in_public_notice"
    assert chrome.find_elements(By.CSS_SELECTOR, ".alert-danger")
    world.pass_days(8)
    s.open(f"/admin/case/{case_id}")
    s.press("close_notice")
    assert s.state() == "pending_confirmation"
    s.sign_out()

    s.sign_in("approver")
    s.open("/admin/queue/")
    chrome.find_element(By.CSS_SELECTOR, f'tr[data-case="{case_id}"] a').click()
    s.press("approve", "经审核符合条件")
    assert s.state() == "active"
    assert chrome.find_element(By.ID, "benefit-amount").text
    s.screenshot("case-page")
    s.sign_out()

    s.sign_in("inspector")
    s.open(f"/admin/trail/?flt0_0={case_id}")
    cells = chrome.find_elements(By.CSS_SELECTOR, "td.col-trigger")
    triggers = [c.text.strip() for c in cells]
    # create, submit, accept, start, the investigation, propose, publish, close, approve
    assert len(triggers) == 9, triggers
    s.screenshot("inspector-trail")
    s.open(f"/admin/case/{case_id}")
    assert chrome.find_element(By.ID, "chain-status").get_attribute("class") is not None
    assert "9" in chrome.find_element(By.ID, "chain-status").text
    assert not chrome.find_elements(By.ID, "case-actions")  # read-only
    s.open("/admin/verify/")
    row = chrome.find_element(By.CSS_SELECTOR, f'tr[data-case="{case_id}"]')
    assert "doudi-overdue" not in (row.get_attribute("class") or "")
    s.screenshot("inspector-verify")
    s.sign_out()

    s.sign_in("admin")
    s.open("/admin/users/")
    assert chrome.find_element(By.CSS_SELECTOR, 'tr[data-user="clerk"]')
    s.screenshot("admin-users")


def test_the_ui_switches_to_english_and_back(
    chrome: WebDriver, server: str, world: World, artifacts: Path
) -> None:
    s = Session(chrome, server, artifacts)
    s.sign_in("clerk")
    s.open("/admin/queue/")
    assert "待办事项" in chrome.title
    chrome.find_element(By.CSS_SELECTOR, 'button[name="lang"][value="en"]').click()
    WebDriverWait(chrome, 10).until(lambda d: "Work queue" in d.title)
    chrome.find_element(By.CSS_SELECTOR, 'button[name="lang"][value="zh_Hans_CN"]').click()
    WebDriverWait(chrome, 10).until(lambda d: "待办事项" in d.title)
