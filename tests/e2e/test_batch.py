"""The approver confirms three cases in one batch from the queue; one is refused by its guard."""

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


def pending(world: World, investigators: tuple[str, ...] = ("clerk", "clerk2")) -> int:
    """A case the township referred to the county, investigated by ``investigators``."""
    case_id = world.apply()
    world.to_state(case_id, CaseState.INVESTIGATING)
    world.investigate(case_id, investigators=investigators)
    world.fire(case_id, "propose", "reviewer")
    world.fire(case_id, "publish_notice", "reviewer")
    world.pass_days(8)
    world.fire(case_id, "close_notice", "reviewer")
    return case_id


@pytest.mark.parametrize("width", [1440, 768, 390])
def test_the_approver_confirms_three_cases_in_one_batch(
    chrome: WebDriver, server: str, world: World, artifacts: Path, width: int
) -> None:
    chrome.set_window_size(width, 900)
    first, second = pending(world), pending(world)
    # the approver took part in this one's investigation: clean in the queue, refused by
    # the separation of duties when it is decided
    own = pending(world, investigators=("clerk", "approver"))
    s = Session(chrome, server, artifacts)
    s.sign_in("approver")
    s.open("/admin/queue/")
    select_all = chrome.find_element(By.ID, "batch-select-clean")
    chrome.execute_script("arguments[0].scrollIntoView({block: 'center'})", select_all)
    select_all.click()
    boxes = chrome.find_elements(By.CSS_SELECTOR, "input.doudi-batch-case")
    assert len(boxes) == 3 and all(b.is_selected() for b in boxes)
    chrome.save_screenshot(str(artifacts / f"queue-batch-{width}.png"))
    approve = chrome.find_element(By.ID, "batch-approve")
    chrome.execute_script("arguments[0].scrollIntoView({block: 'center'})", approve)
    approve.click()
    WebDriverWait(chrome, 30).until(ec.presence_of_element_located((By.ID, "batch-result")))
    outcomes = {
        int(str(row.get_attribute("data-result-case"))): row.get_attribute("data-outcome")
        for row in chrome.find_elements(By.CSS_SELECTOR, "tr[data-result-case]")
    }
    assert outcomes == {first: "done", second: "done", own: "refused"}
    refused = chrome.find_element(By.CSS_SELECTOR, f'tr[data-result-case="{own}"]').text
    assert "审批人不得审批本人参与了乡镇级入户调查的案件" in refused
    assert "已办理2件，未办理1件" in chrome.find_element(By.ID, "batch-summary").text
    chrome.save_screenshot(str(artifacts / f"batch-result-{width}.png"))
