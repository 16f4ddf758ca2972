"""The explorable page, driven in a real browser (headless Chromium through Selenium): grads
at several steps, the address, the arrow keys, the forward pass, clicking a value, no script
error. The browser tests skip when Chromium, its driver or Selenium is missing."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from autograd import Value, topological_order
from autograd.draw import RendererNotFound, find_renderer
from autograd.explore import MAX_PAGE_NODES, explore, page_html
from autograd.text import number
from autograd.trace import Stepper
from examples import five_weight_network

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
try:
    find_renderer()
    HAS_RENDERER = True
except RendererNotFound:
    HAS_RENDERER = False
needs_renderer = pytest.mark.skipif(not HAS_RENDERER, reason="no Graphviz renderer")
SHOTS = os.environ.get("TRACEGRAD_SHOTS")  # a folder to save the page's screenshots in


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    webdriver = pytest.importorskip("selenium.webdriver", reason="pip install selenium")
    if not (CHROMIUM and DRIVER and HAS_RENDERER):
        pytest.skip("needs Debian's chromium and chromium-driver (apt-get install chromium "
                    "chromium-driver) and a Graphviz renderer")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--window-size=1600,1000",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    if not HAS_RENDERER:
        pytest.skip("no Graphviz renderer")
    net = five_weight_network()
    net["E"].backward()  # the page shows one fresh pass all the same
    path = explore(net["E"], tmp_path_factory.mktemp("page") / "net.html")
    stepper = Stepper(five_weight_network()["E"])
    stepper.run()
    return path, stepper


def open_at(driver, path: Path, fragment: str = ""):
    driver.get("about:blank")
    driver.get(path.as_uri() + fragment)
    return driver


def grads_shown(driver) -> dict[str, str]:
    return {g.get_attribute("data-name"): g.get_attribute("data-grad")
            for g in driver.find_elements("css selector", "g.node[data-name]")}


def expected(stepper: Stepper, k: int) -> dict[str, str]:
    grads = stepper.grads_now(k)
    return {stepper.names[id(n)]: (number(grads[id(n)]) if id(n) in grads else "")
            for n in stepper.order}


def no_script_error(driver):
    assert driver.find_element("tag name", "body").get_attribute("data-script-error") is None
    severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []


def shoot(driver, name: str):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(SHOTS) / name))


@pytest.mark.parametrize("k", [0, 6, 14, 20])
def test_the_address_opens_the_state_after_k_steps(browser, page, k):
    path, stepper = page
    driver = open_at(browser, path, f"#step={k}")
    assert driver.find_element("tag name", "body").get_attribute("data-step") == str(k)
    assert grads_shown(driver) == expected(stepper, k)
    caption = driver.find_element("id", "caption").text
    assert caption == stepper.frame(k).caption()
    shoot(driver, f"page-step-{k:02d}.png")
    no_script_error(driver)


def test_the_lessons_numbers_at_the_end(browser, page):
    path, _ = page
    shown = grads_shown(open_at(browser, path, "#step=20"))
    assert {w: shown[w] for w in ("w1", "w2", "w3", "w4", "w5")} == {
        "w1": "520", "w2": "156", "w3": "650", "w4": "312", "w5": "26"}
    assert shown["y"] == "26" and shown["E"] == "1"


def test_arrow_keys_step_and_the_address_follows(browser, page):
    path, stepper = page
    driver = open_at(browser, path, "#step=6")
    body = driver.find_element("tag name", "body")
    from selenium.webdriver.common.keys import Keys

    body.send_keys(Keys.ARROW_RIGHT)
    assert driver.execute_script("return location.hash") == "#step=7"
    assert grads_shown(driver) == expected(stepper, 7)
    body.send_keys(Keys.ARROW_LEFT, Keys.ARROW_LEFT)
    assert driver.execute_script("return location.hash") == "#step=5"
    driver.find_element("id", "next").click()
    assert body.get_attribute("data-step") == "6"
    assert driver.find_element("css selector", "#table tr.now td").text == "6"
    no_script_error(driver)


def test_the_forward_pass_plays_first_then_backward_starts(browser, page):
    path, stepper = page
    driver = open_at(browser, path)
    body = driver.find_element("tag name", "body")
    assert body.get_attribute("data-phase") == "forward"
    datas = [t.text for t in driver.find_elements("css selector", "g.node text")
             if t.text.startswith("data ")]
    assert "data ?" in datas and "data 169" not in datas
    ops = sum(1 for n in stepper.order if n.op is not None)
    for _ in range(ops):
        driver.find_element("id", "next").click()
    datas = [t.text for t in driver.find_elements("css selector", "g.node text")
             if t.text.startswith("data ")]
    assert "data ?" not in datas and "data 169" in datas
    assert ops == 11
    assert driver.find_element("id", "caption").text == \
        "forward, value 11 of 11: E = n7 ** 2 = (-13) ** 2 = 169"
    driver.find_element("id", "next").click()
    assert body.get_attribute("data-phase") == "backward"
    assert driver.execute_script("return location.hash") == "#step=0"
    assert grads_shown(driver) == expected(stepper, 0)
    no_script_error(driver)


def test_clicking_a_value_shows_its_numbers_and_highlights_its_paths(browser, page):
    path, _ = page
    driver = open_at(browser, path, "#step=20")
    driver.find_element("css selector", 'g.node[data-name="x1"]').click()
    details = driver.find_element("id", "details").text
    assert details.startswith("x1") and "data 3, grad 364" in details
    assert "2 paths to the output" in details and "sum to 364" in details
    assert "∂n2/∂x1 = 1" in details
    on_path = {g.get_attribute("data-name")
               for g in driver.find_elements("css selector", "g.node.onpath[data-name]")}
    assert {"x1", "n2", "h1", "n4", "h2", "y", "E"} <= on_path and "w1" not in on_path
    shoot(driver, "page-clicked-x1.png")
    driver.find_element("id", "start").click()
    details = driver.find_element("id", "details").text
    assert "not reached yet" in details  # the details follow the step
    no_script_error(driver)


def test_a_page_by_labelled_node(browser, tmp_path):
    net = five_weight_network()
    path = explore(net["E"], tmp_path / "label.html", by="label")
    driver = open_at(browser, path, "#step=2")
    shown = grads_shown(driver)
    assert shown["w3"] == "650" and shown["h1"] == "26" and shown["w1"] == ""
    assert "labelled-node step 2 of 4" in driver.find_element("id", "counter").text
    no_script_error(driver)


@needs_renderer
def test_the_page_is_self_contained_and_marks_every_value(tmp_path):
    net = five_weight_network()
    text = page_html(net["E"])
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", text)
    assert "<link" not in text and "<svg" in text and "tracegrad-data" in text
    for name in ("w1", "y_true", "E"):
        assert f'"name": "{name}"' in text


def test_big_graphs_and_wrong_paths_are_refused_with_a_how_to(tmp_path):
    x = Value(1.0, label="x")
    y = x
    for _ in range(110):
        y = y * 1.01
    count = len(topological_order(y))
    with pytest.raises(ValueError, match=f"has {count} values, more than max_nodes="
                                         f"{MAX_PAGE_NODES}.*summarize_mlp.*max_nodes={count}"):
        explore(y, tmp_path / "big.html")
    with pytest.raises(ValueError, match=r"ending in \.html"):
        explore(x * 2, tmp_path / "page.png")
    with pytest.raises(TypeError, match=r"takes an autograd\.Value"):
        explore(2.0, tmp_path / "page.html")
