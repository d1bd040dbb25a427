"""A clerk finds a person by ID number from the lookup box — at a desk, on a tablet and on a
phone — and opens their case."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from engine.services import Application
from tests.e2e.test_case_lifecycle import Session
from tests.support import VILLAGE_A1, World, member

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("width", [1440, 768, 390])
def test_the_clerk_finds_a_person_by_id_number(
    server: str, chrome: WebDriver, artifacts: Path, world: World, width: int
) -> None:
    spouse = member("spouse", name="李秀兰")
    case_id = world.apply(Application("dibao", VILLAGE_A1, [member("self"), spouse]))
    world.apply()  # someone else, not to be found
    chrome.set_window_size(width, 900)
    me = Session(chrome, server, artifacts)
    me.sign_in("clerk")
    box = chrome.find_element(By.CSS_SELECTOR, "#case-lookup input[name=q]")
    if not box.is_displayed():  # a narrow screen folds the navigation bar
        chrome.find_element(By.CSS_SELECTOR, ".navbar-toggler").click()
        WebDriverWait(chrome, 5).until(ec.visibility_of(box))
    box.send_keys(spouse.id_number, Keys.ENTER)
    link = WebDriverWait(chrome, 10).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, f'a[href$="/admin/case/{case_id}"]'))
    )
    assert "李秀兰" in chrome.page_source
    chrome.save_screenshot(str(artifacts / f"search-by-id-{width}.png"))
    chrome.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
    link.click()
    WebDriverWait(chrome, 10).until(ec.presence_of_element_located((By.ID, "case-state")))
    assert f"/admin/case/{case_id}" in chrome.current_url and "李秀兰" in chrome.page_source
