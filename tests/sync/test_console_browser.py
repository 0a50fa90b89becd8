"""The web console in a real browser: Debian's Chromium driven by Selenium (chromedriver from the same package),
against a real ``cunfang-server serve`` on SQLite and PostgreSQL.

Runs under CI=true or CUNFANG_BROWSER_TESTS=1 (about a minute a database); elsewhere skipped so the suite stays
fast. Screenshots of every page go to CUNFANG_SCREENSHOTS (a directory), else the test's temporary directory.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sync.server.console.views import today
from tests.sync.console_data import PASSWORD, TOWN_A, TOWN_B, expected, seed

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
WANTED = os.environ.get("CI") == "true" or os.environ.get("CUNFANG_BROWSER_TESTS") == "1"
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not WANTED, reason="browser tests: set CUNFANG_BROWSER_TESTS=1 (CI=true runs them)")]


@pytest.fixture
def browser(tmp_path):
    if not (Path(CHROMIUM).exists() and Path(DRIVER).exists()):
        pytest.fail("Debian's chromium and chromium-driver are needed (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1400,1000", "--lang=zh-CN",
                 f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture
def shots(tmp_path, request):
    where = Path(os.environ.get("CUNFANG_SCREENSHOTS") or tmp_path / "shots")
    where.mkdir(parents=True, exist_ok=True)
    prefix = request.node.callspec.id if hasattr(request.node, "callspec") else "run"

    def take(driver, name: str) -> Path:
        path = where / f"{prefix}-{name}.png"
        height = driver.execute_script("return document.body.scrollHeight")
        driver.set_window_size(1400, max(1000, min(height + 200, 4000)))
        driver.save_screenshot(str(path))
        return path

    return take


def click(driver, element) -> None:
    """Click a link or button and wait until the next page has replaced this one."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    page = driver.find_element(By.TAG_NAME, "html")
    element.click()

    def replaced(_driver) -> bool:
        try:
            page.is_enabled()  # raises once the old page is gone (stale, or a node of no document)
        except WebDriverException:
            return True
        return False

    WebDriverWait(driver, 30).until(replaced)
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")


def sign_in(driver, base: str, name: str, password: str = PASSWORD) -> None:
    from selenium.webdriver.common.by import By

    driver.get(base + "/console/")
    driver.find_element(By.ID, "name").clear()
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(password)
    click(driver, driver.find_element(By.ID, "sign-in"))


def cell(driver, village: str, col: str) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, f'tr[data-village="{village}"] td[data-col="{col}"]').text


def test_console_in_chromium(server, browser, shots):
    from selenium.webdriver.common.by import By

    people = seed(server.service)
    token = server.user("zhang", "village_cadre", f"{TOWN_A}201")
    server.service.enroll(token, "东山村笔记本")
    base = server.url

    browser.get(base + "/console/")
    assert "/console/login" in browser.current_url
    shots(browser, "01-login")
    sign_in(browser, base, "kezhang")
    assert browser.current_url == base + "/console/"
    shots(browser, "02-overview")
    for code in (TOWN_A, TOWN_B, f"{TOWN_A}201", f"{TOWN_A}202", f"{TOWN_B}201"):
        for key, n in expected(people, code).items():
            assert cell(browser, code, key) == str(n), (code, key)

    # a newcomer finds an overdue elder from 总览: the village's 逾期 number, then the elder's name
    village = f"{TOWN_A}202"
    click(browser, browser.find_element(By.CSS_SELECTOR, f'tr[data-village="{village}"] td[data-col="overdue"] a'))  # 1
    shots(browser, "03-persons-overdue")
    rows = browser.find_elements(By.CSS_SELECTOR, "#persons tbody tr")
    overdue_elders = {p["name"] for p in people if p["village_id"] == village and p["kind"] == "elder"
                      and p["status"] == "active" and p["next_due"] < today().isoformat()}
    elder_row = next(r for r in rows if r.find_element(By.CSS_SELECTOR, "td a").text in overdue_elders)
    click(browser, elder_row.find_element(By.CSS_SELECTOR, "td a"))  # 2
    assert "已逾期" in browser.find_element(By.TAG_NAME, "main").text
    shots(browser, "04-person")
    click(browser, browser.find_element(By.ID, "show-id"))
    shown = browser.find_element(By.ID, "id-number").text
    assert len(shown) == 18 and "*" not in shown
    shots(browser, "05-person-full-id")

    browser.get(base + "/console/persons?q=" + "王")
    assert "王秀英" in browser.find_element(By.ID, "persons").text
    browser.get(base + "/console/persons?q=wxy")  # pinyin initials
    assert "王秀英" in browser.find_element(By.ID, "persons").text
    shots(browser, "06-persons-search")
    for name, path in (("07-records", "/console/records"), ("08-queue", "/console/queue"),
                       ("09-users", "/console/users"), ("10-audit", "/console/audit"),
                       ("10b-forms", "/console/forms"), ("10c-conflicts", "/console/conflicts"),
                       ("10d-export", "/console/export")):
        browser.get(base + path)
        assert "Traceback" not in browser.page_source and "无法显示" not in browser.title
        shots(browser, name)
    browser.get(base + "/console/audit")
    assert "查看完整身份证号" in browser.find_element(By.ID, "audit").text

    # a new sync user: the one-time 登记码 on a printable slip with its QR code
    browser.get(base + "/console/users")
    browser.find_element(By.ID, "new-name").send_keys("赵村官")
    browser.find_element(By.ID, "new-villages").send_keys(f"{TOWN_A}201")
    click(browser, browser.find_element(By.ID, "add"))
    assert browser.find_element(By.ID, "token").text.startswith("cf-")
    assert browser.find_elements(By.CSS_SELECTOR, "#slip svg")
    shots(browser, "09b-enrollment-slip")

    # a form whose CSRF token is gone is refused, and nothing happens
    browser.get(base + "/console/users")
    browser.execute_script("document.querySelectorAll('input[name=csrf]').forEach(e => e.remove())")
    click(browser, browser.find_element(By.CSS_SELECTOR, "button.danger"))
    assert "页面已过期或来源不明" in browser.find_element(By.ID, "message").text
    shots(browser, "11-csrf-refused")
    assert not [d for d in server.service.list_devices() if d["revoked_at"]]

    # sign out; the township account sees its own township only
    browser.get(base + "/console/")
    click(browser, browser.find_element(By.CSS_SELECTOR, "header form button"))
    assert "/console/login" in browser.current_url
    sign_in(browser, base, "xiangzhen")
    assert browser.find_elements(By.CSS_SELECTOR, f'tr[data-village="{TOWN_A}"]')
    assert not browser.find_elements(By.CSS_SELECTOR, f'tr[data-village="{TOWN_B}"]')
    shots(browser, "12-township-overview")
    browser.get(base + "/console/persons")
    listed = browser.find_element(By.ID, "persons").text
    assert not [p for p in people if p["village_id"].startswith(TOWN_B) and p["name"] in listed]
    browser.get(base + "/console/users")
    assert "没有权限" in browser.find_element(By.ID, "message").text
    shots(browser, "13-township-refused")

    # lockout: five free tries, then a wait
    browser.delete_all_cookies()
    for _ in range(6):
        sign_in(browser, base, "chakan", "not-the-password")
    assert "请等" in browser.find_element(By.ID, "message").text
    shots(browser, "14-lockout")



def test_a_newcomer_follows_the_readme_with_demo_data(tmp_path, start_server, browser, shots):
    """README's steps: ``cunfang-server demo``, ``console-user add``, ``serve``; then, in the browser, sign in and
    reach an overdue elder from 总览 in three clicks (sign-in, the township's 逾期 number, the elder's name)."""
    import sqlalchemy as sa
    from selenium.webdriver.common.by import By

    from sync.server import tables as t
    from tests.sync.conftest import ROOT, Server

    db = str(tmp_path / "demo.db")
    cli = Server(db=db, port=0)
    loaded = cli.cli("demo", "--persons", "300")
    assert "Traceback" not in loaded.stderr and "错误" not in loaded.stderr, loaded.stderr
    records = int(loaded.stdout.split("记录 ")[1].split(" 条")[0])
    assert records > 500 and "/console/" in loaded.stdout
    env = {**os.environ, "CUNFANG_CONSOLE_PASSWORD": PASSWORD}
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "sync.server.cli", "--db", db, "console-user", "add", "kezhang", "--role",
                    "county_admin", "--display-name", "王科长"], env=env, check=True, cwd=ROOT, timeout=120,
                   capture_output=True)
    server = start_server(db)
    assert "/console/" in server.log.read_text(errors="replace")  # serve says where the console is
    with server.service.db.read() as conn:  # every finished demo record was accepted, none refused
        assert conn.execute(sa.select(sa.func.count()).select_from(t.records)).scalar() == records
        refused = conn.execute(sa.select(sa.func.count()).select_from(t.audit)
                               .where(t.audit.c.action == "push", t.audit.c.outcome != "accepted")).scalar()
    assert refused == 0

    browser.get(server.url + "/")  # the bare address leads to the console's sign-in
    assert "/console/login" in browser.current_url
    browser.find_element(By.ID, "name").send_keys("kezhang")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    click(browser, browser.find_element(By.ID, "sign-in"))  # 1
    assert browser.current_url == server.url + "/console/"
    shots(browser, "demo-01-overview")
    town = browser.find_element(By.CSS_SELECTOR, "tr.town")
    click(browser, town.find_element(By.CSS_SELECTOR, 'td[data-col="overdue"] a'))  # 2
    shots(browser, "demo-02-overdue")
    rows = browser.find_elements(By.CSS_SELECTOR, "#persons tbody tr")
    elder = next(r for r in rows if r.find_elements(By.CSS_SELECTOR, "td")[2].text == "老人")
    name = elder.find_element(By.CSS_SELECTOR, "td a").text
    click(browser, elder.find_element(By.CSS_SELECTOR, "td a"))  # 3
    main = browser.find_element(By.TAG_NAME, "main").text
    assert name in main and "已逾期" in main and "Traceback" not in browser.page_source
    shots(browser, "demo-03-elder")
