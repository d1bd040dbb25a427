"""An objection handled wholly in the browser: recorded, reviewed democratically, dismissed, and
the notice closed (Art. 19 ¶2) — at a desk, on a tablet and on a phone."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from engine.states import CaseState
from tests.e2e.test_case_lifecycle import Session
from tests.support import World

pytestmark = pytest.mark.slow


def fill(session: Session, form_id: str, fields: dict[str, str], summary: bool = True) -> None:
    """Open a folded form, type into it and send it; wait for the page to come back."""
    driver = session.driver
    section = driver.find_element(By.ID, form_id)
    if summary:
        section.find_element(By.TAG_NAME, "summary").click()
    for name, value in fields.items():
        field = section.find_element(By.NAME, name)
        if field.get_attribute("type") == "checkbox":  # ticked, as a confirmation
            if not field.is_selected():
                field.click()
        elif field.get_attribute("type") == "date":
            driver.execute_script("arguments[0].value = arguments[1]", field, value)
        else:
            field.clear()
            field.send_keys(value)
    button = section.find_element(By.CSS_SELECTOR, "button[type=submit]")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    WebDriverWait(driver, 10).until(ec.staleness_of(section))


@pytest.mark.parametrize("width", [1440, 768, 390])
def test_the_reviewer_dismisses_an_objection_and_closes_the_notice(
    server: str, chrome: WebDriver, artifacts: Path, world: World, width: int
) -> None:
    case_id = world.apply()
    world.to_state(case_id, CaseState.IN_PUBLIC_NOTICE)
    chrome.set_window_size(width, 900)
    me = Session(chrome, server, artifacts)
    me.sign_in("reviewer")
    me.open(f"/admin/case/{case_id}")
    fill(me, "objection-form", {"objector": "村民张某", "content": "家有轿车"}, summary=False)
    assert "家有轿车" in chrome.page_source
    today = world.today().isoformat()
    fill(
        me,
        "democratic-review-form",
        {
            "held_on": today,
            "participants": "村主任王某\n村民代表李某\n村民代表赵某",
            "minutes": "所称轿车系亲属借用，异议不成立",
        },
    )
    dismiss = chrome.find_element(By.CSS_SELECTOR, "[data-dismiss-objection]")
    objection = dismiss.get_attribute("data-dismiss-objection")
    fill(me, f"dismiss-{objection}", {"resolution": "民主评议认定异议不成立", "confirm": "y"})
    assert "异议已驳回" in chrome.page_source
    me.press("revise_opinion", "民主评议后维持原初审意见")
    world.pass_days(8)
    me.open(f"/admin/case/{case_id}")
    height = int(chrome.execute_script("return document.body.scrollHeight"))
    chrome.set_window_size(width, min(max(height, 800), 5000))
    chrome.save_screenshot(str(artifacts / f"objection-dismissed-{width}.png"))
    me.press("close_notice")
    assert me.state() == "pending_confirmation"
