"""Field work on a tablet (768 px) and a phone (390 px): the queue reads without columns one
character wide on a tablet and as one card a case on a phone, the case page puts what the
user may do above the long audit trail, the application form is one column of touch-size
fields, and an investigation is recorded with the members present and a photo attached."""

from __future__ import annotations

import base64
import itertools
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from engine.states import CaseState
from tests.e2e.test_batch import pending
from tests.e2e.test_case_lifecycle import Session
from tests.support import World

pytestmark = pytest.mark.slow

WIDTHS = [768, 390]
#: a 1x1 PNG, as a phone's camera would send a (much larger) photo
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
#: the most lines a table cell may take before it counts as squeezed
MAX_LINES = 2
LINES = """
const range = document.createRange();
range.selectNodeContents(arguments[0]);
const tops = new Set();
for (const r of range.getClientRects()) { if (r.width > 0) tops.add(Math.round(r.top)); }
return tops.size;
"""


def lines(driver: WebDriver, element: WebElement) -> int:
    """How many lines of text the element's content takes."""
    return int(driver.execute_script(LINES, element))


def shoot(driver: WebDriver, artifacts: Path, name: str, width: int) -> None:
    """A full-length screenshot at this width (kept for a person to look at)."""
    height = int(driver.execute_script("return document.body.scrollHeight"))
    driver.set_window_size(width, min(max(height, 800), 5000))
    driver.save_screenshot(str(artifacts / f"{name}-{width}.png"))
    driver.set_window_size(width, 900)


def top(element: WebElement) -> float:
    return float(element.rect["y"])


def assert_no_sideways_scroll(driver: WebDriver) -> None:
    """The page itself is no wider than the screen (a wide table scrolls in its own box)."""
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert int(overflow) <= 1


#: below this width (Bootstrap's small breakpoint) the queue is one card a case
CARDS_BELOW = 576
#: the queue's table as laid out: its box's overflow, its headers, and each row's cells
QUEUE = """
const table = document.getElementById("queue-table");
const box = table.closest(".table-responsive");
const place = (el) => {
  const r = el.getBoundingClientRect();
  return {top: r.top, bottom: r.bottom, left: r.left, right: r.right};
};
return {
  overflow: box.scrollWidth - box.clientWidth,
  display: getComputedStyle(table).display,
  // the column of batch checkboxes is named by its own box, not by a label on each case
  headers: Array.from(table.tHead.rows[0].cells, (th) =>
    th.querySelector("input") ? "" : th.textContent.trim()),
  rows: Array.from(table.tBodies[0].rows, (tr) => ({
    case: tr.dataset.case,
    display: getComputedStyle(tr).display,
    ...place(tr),
    cells: Array.from(tr.cells, (td) => ({
      label: td.dataset.label || "",
      before: getComputedStyle(td, "::before").content,
      font: parseFloat(getComputedStyle(td).fontSize),
      text: td.innerText.trim(),
      ...place(td),
    })),
  })),
};
"""


def assert_queue_readable(driver: WebDriver, width: int) -> None:
    """The queue as a table on a tablet, as one card a case on a phone; the page never wider
    than the screen."""
    if width < CARDS_BELOW:
        assert_queue_cards(driver, width)
    else:
        assert_queue_table(driver)
    assert_no_sideways_scroll(driver)


def assert_queue_table(driver: WebDriver) -> None:
    """Every header of the queue on one line, no cell squeezed to a column of characters."""
    queue = driver.execute_script(QUEUE)
    assert queue["display"] == "table"
    assert all(cell["before"] == "none" for row in queue["rows"] for cell in row["cells"])
    headers = driver.find_elements(By.CSS_SELECTOR, "#queue-table th")
    assert headers
    for th in headers:
        if th.text.strip():
            assert lines(driver, th) == 1, th.text
    for td in driver.find_elements(By.CSS_SELECTOR, "#queue-table tbody td"):
        if td.text.strip():
            assert lines(driver, td) <= MAX_LINES, td.text


def assert_queue_cards(driver: WebDriver, width: int) -> None:
    """One card a case: every cell on a line of its own after its column's name (the same
    words as the column's header), the case number first and larger, nothing sideways, not
    even inside the table's box."""
    queue = driver.execute_script(QUEUE)
    assert queue["overflow"] <= 0, "the queue's table scrolls sideways in its box"
    assert queue["display"] == "block"
    assert queue["rows"]
    for row in queue["rows"]:
        assert row["display"] == "block"
        assert row["left"] >= 0 and row["right"] <= width
        named = [
            (header, cell)
            for header, cell in zip(queue["headers"], row["cells"], strict=True)
            if header
        ]
        assert len(named) >= 7  # case, state, category, applicant, members, village, deadline
        for header, cell in named:
            assert cell["label"] == header, (row["case"], header, cell["label"])
            assert cell["before"] == f'"{header}"', cell["before"]
            assert row["left"] <= cell["left"] and cell["right"] <= row["right"] + 1, header
        for (_, above), (header, below) in itertools.pairwise(named):
            assert below["top"] >= above["bottom"] - 1, f"{header} shares a line"
        (_, case), (_, state), *rest = named
        assert case["text"] == f"#{row['case']}"
        assert state["text"]
        assert case["font"] > max(cell["font"] for _, cell in rest)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_queue_and_the_case_page_work_on_a_tablet_and_a_phone(
    server: str, chrome: WebDriver, artifacts: Path, world: World, width: int, tmp_path: Path
) -> None:
    case_id = world.apply()
    world.to_state(case_id, CaseState.INVESTIGATING)
    world.apply()
    chrome.set_window_size(width, 900)
    me = Session(chrome, server, artifacts)
    me.sign_in("clerk")

    me.open("/admin/queue/")
    assert chrome.find_element(By.CSS_SELECTOR, f'tr[data-case="{case_id}"]')
    assert_queue_readable(chrome, width)
    shoot(chrome, artifacts, "field-queue-clerk", width)

    me.open(f"/admin/case/{case_id}")
    first_action = chrome.find_element(By.CSS_SELECTOR, ".doudi-case-side form")
    trail = chrome.find_element(By.ID, "case-trail")
    assert top(first_action) < top(trail)
    assert top(chrome.find_element(By.ID, "investigation-form")) < top(trail)
    assert_no_sideways_scroll(chrome)
    shoot(chrome, artifacts, "field-case", width)

    # the investigation: two investigators, the applicant present, a photo of the signed form
    photo = tmp_path / "签字表.png"
    photo.write_bytes(PNG)
    form = chrome.find_element(By.ID, "investigation-form")
    picker = Select(form.find_element(By.ID, "inv-investigators"))
    picker.select_by_value("clerk")
    picker.select_by_value("clerk2")
    boxes = form.find_elements(By.CSS_SELECTOR, "input[name=present]")
    assert boxes
    chrome.execute_script("arguments[0].scrollIntoView({block: 'center'})", boxes[0])
    boxes[0].click()
    form.find_element(By.ID, "inv-findings").send_keys("入户核实：申请人在家，签字确认")
    form.find_element(By.ID, "inv-attachments").send_keys(str(photo))
    button = form.find_element(By.ID, "record-investigation")
    assert button.size["height"] >= 44  # a finger can hit it
    chrome.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    WebDriverWait(chrome, 10).until(ec.staleness_of(form))
    link = chrome.find_element(By.CSS_SELECTOR, "#case-investigations a[data-attachment]")
    assert link.text == "签字表.png"
    assert chrome.find_element(By.CSS_SELECTOR, "#case-investigations .doudi-present")
    assert "record_investigation" in [
        e.get_attribute("data-trigger")
        for e in chrome.find_elements(By.CSS_SELECTOR, "#case-trail [data-trigger]")
    ]
    shoot(chrome, artifacts, "field-investigated", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_approvers_queue_and_the_application_form_fit_a_narrow_screen(
    server: str, chrome: WebDriver, artifacts: Path, world: World, width: int
) -> None:
    pending(world)
    chrome.set_window_size(width, 900)
    me = Session(chrome, server, artifacts)
    me.sign_in("approver")
    me.open("/admin/queue/")
    boxes = chrome.find_elements(By.CSS_SELECTOR, "input.doudi-batch-case")
    assert boxes
    assert_queue_readable(chrome, width)
    # the batch checkboxes stay on the screen and tick with a tap, one by one or all at once
    for box in boxes:
        assert box.is_displayed() and box.is_enabled()
        assert box.rect["x"] >= 0 and box.rect["x"] + box.rect["width"] <= width
        assert box.size["width"] >= 20
        chrome.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
        box.click()
        assert box.is_selected()
    select_all = chrome.find_element(By.ID, "batch-select-clean")
    assert select_all.is_displayed()
    chrome.execute_script("arguments[0].scrollIntoView({block: 'center'})", select_all)
    select_all.click()  # ticked: every box was ticked already, so it stays so
    select_all.click()
    assert not any(box.is_selected() for box in boxes)
    shoot(chrome, artifacts, "field-queue-approver", width)
    chrome.delete_all_cookies()  # the sign-out button is folded in the phone's menu

    me.sign_in("clerk")
    me.open("/admin/apply/")
    id_field = chrome.find_element(By.NAME, "m-0-id_number")
    wages = chrome.find_element(By.NAME, "m-0-wages")
    # every field is wide enough to read what is typed (no squeezed table columns)
    assert id_field.size["width"] >= min(width - 80, 300)
    assert wages.size["width"] >= min(width - 80, 100)
    assert id_field.size["height"] >= 44
    assert_no_sideways_scroll(chrome)
    shoot(chrome, artifacts, "field-application", width)
