"""The server tells laptops about a newer app version (``serve --client-version``); nothing is downloaded.

Real servers on 127.0.0.1 (SQLite): the offer reaches the sync report and the laptop's store, a version equal to
or older than this app's gives no notice, a withdrawn offer clears it, and clients from before the offer (which
parse /health strictly) never see the new field.
"""

from __future__ import annotations

import pytest
import requests
from click.testing import CliRunner
from conftest import add_visit

from app.version import version, version_tuple
from sync import protocol
from sync.client.client import UPDATE_SETTING, SyncClient, enroll, newer_version, settings, update_offer
from sync.server import api
from sync.server.cli import main as server_cli

URL = "https://mz.example.gov.cn/cunfang/0.9"
NOTES = "修正打印空白表；新增探访提醒"


def bumped(step: int) -> str:
    """This app's version with its minor number moved by ``step`` (step < 0: an older version)."""
    major, minor = (list(version_tuple(version())) + [0, 0])[:2]
    return f"{major}.{max(minor + step, 0)}.0" if step >= 0 or minor else f"{major - 1}.99.0"


@pytest.fixture
def offering(tmp_path, start_server, monkeypatch):
    """``offering(version)``: a SQLite server started with CUNFANG_CLIENT_VERSION (and URL, notes) set."""
    def start(offer: str | None, db: str | None = None):
        for name, value in ((api.CLIENT_VERSION_ENV, offer), (api.CLIENT_URL_ENV, URL), (api.CLIENT_NOTES_ENV, NOTES)):
            if offer:
                monkeypatch.setenv(name, value)
            else:
                monkeypatch.delenv(name, raising=False)
        return start_server(db or str(tmp_path / "server.db"))

    return start


def sync(store):
    with SyncClient(store) as client:
        return client.run()


def test_a_newer_version_on_the_server_reaches_the_report_and_the_store(offering, laptop_factory):
    newer = bumped(1)
    server = offering(newer)
    laptop = laptop_factory(server)
    add_visit(laptop, "V1")

    report = sync(laptop)

    assert report.error == "" and report.counts() == {"accepted": 1}
    assert report.client_update == protocol.ClientUpdate(version=newer, url=URL, notes=NOTES)
    assert report.update_available
    assert report.to_json()["client_update"] == {"version": newer, "url": URL, "notes": NOTES}
    assert report.to_json()["update_available"] is True
    offer = update_offer(laptop)
    assert offer is not None and (offer.version, offer.url, offer.notes) == (newer, URL, NOTES)
    assert newer in settings(laptop)["client_update"]  # kept in the encrypted store's settings
    # nothing was fetched from the URL: the laptop only remembers what to tell the user


def test_enrolling_already_tells_of_a_newer_version(offering, tmp_path):
    from conftest import new_laptop

    server = offering(bumped(2))
    laptop = new_laptop(tmp_path / "laptop")
    try:
        enroll(laptop, server.url, server.user("li"), device_name="li-pc")
        assert update_offer(laptop).version == bumped(2)
    finally:
        laptop.close()


@pytest.mark.parametrize("step", [0, -1], ids=["equal", "older"])
def test_an_equal_or_older_version_gives_no_notice(offering, laptop_factory, step):
    server = offering(bumped(step))
    laptop = laptop_factory(server)

    report = sync(laptop)

    assert report.error == ""
    assert report.client_update is not None and report.client_update.version == bumped(step)
    assert not report.update_available
    assert update_offer(laptop) is None


def test_a_withdrawn_offer_clears_the_notice(offering, laptop_factory, tmp_path):
    db = str(tmp_path / "bureau.db")
    first = offering(bumped(1), db)
    laptop = laptop_factory(first)
    assert sync(laptop).update_available and update_offer(laptop) is not None
    first.stop()

    again = offering(None, db)  # the same bureau, restarted without --client-version
    laptop.set_setting("sync.url", again.url)
    report = sync(laptop)

    assert report.error == "" and report.client_update is None and not report.update_available
    assert update_offer(laptop) is None and laptop.get_setting(UPDATE_SETTING) == ""


def test_a_failed_run_keeps_what_the_server_said_last(offering, laptop_factory):
    server = offering(bumped(1))
    laptop = laptop_factory(server)
    assert sync(laptop).update_available
    server.stop()  # no server any more: the run fails before /health answers

    report = sync(laptop)

    assert report.error_code == "SYNC_UNREACHABLE"
    assert update_offer(laptop).version == bumped(1)


def test_old_clients_never_receive_the_new_field(offering):
    """Clients before the offer parse Health with extra fields forbidden: they must get the old three fields."""
    class OldHealth(protocol.Strict):
        ok: bool
        protocol: int
        server: str

    server = offering(bumped(1))
    plain = requests.get(f"{server.url}{protocol.API}/health", timeout=10)
    asked = requests.get(f"{server.url}{protocol.API}/health", params={"client_version": "0.0.1"}, timeout=10)

    assert plain.json() == {"ok": True, "protocol": 1, "server": plain.json()["server"]}
    OldHealth.model_validate_json(plain.content)  # an old client still syncs with a server offering a version
    assert asked.json()["client_update"] == {"version": bumped(1), "url": URL, "notes": NOTES}
    # and a new client reading an old server's answer (no field) sees no offer
    assert protocol.Health.model_validate_json(plain.content).client_update is None


def test_a_server_offering_nothing_answers_as_before(offering):
    server = offering(None)
    asked = requests.get(f"{server.url}{protocol.API}/health", params={"client_version": version()}, timeout=10)
    assert "client_update" not in asked.json()


def test_the_serve_options_reach_every_worker(monkeypatch, tmp_path):
    """``serve --client-version/--client-url/--client-notes``: passed to the workers through the environment."""
    seen = {}

    def fake_run(*_args, **kwargs):
        seen["offer"] = api.client_update_from_env()
        seen["workers"] = kwargs["workers"]

    import uvicorn

    monkeypatch.setattr(uvicorn, "run", fake_run)

    def clean_environment() -> None:  # serve writes these for its workers; monkeypatch removes them afterwards
        for name in (api.CLIENT_VERSION_ENV, api.CLIENT_URL_ENV, api.CLIENT_NOTES_ENV, api.DB_ENV):
            monkeypatch.setenv(name, "")
        monkeypatch.delenv("CUNFANG_SERVER_WORKERS", raising=False)

    clean_environment()
    db = str(tmp_path / "s.db")
    result = CliRunner().invoke(server_cli, ["--db", db, "serve", "--workers", "2", "--client-version", "0.9.1",
                                             "--client-url", URL, "--client-notes", NOTES])
    assert result.exit_code == 0, result.output
    assert seen == {"offer": protocol.ClientUpdate(version="0.9.1", url=URL, notes=NOTES), "workers": 2}
    assert "0.9.1" in result.output

    clean_environment()
    monkeypatch.setenv(api.CLIENT_VERSION_ENV, "0.9.2")  # the systemd way: EnvironmentFile=/etc/cunfang/server.env
    monkeypatch.setenv("CUNFANG_SERVER_WORKERS", "3")
    result = CliRunner().invoke(server_cli, ["--db", db, "serve"])
    assert result.exit_code == 0 and seen == {"offer": protocol.ClientUpdate(version="0.9.2"), "workers": 3}

    clean_environment()
    result = CliRunner().invoke(server_cli, ["--db", db, "serve"])
    assert result.exit_code == 0 and seen["offer"] is None


@pytest.mark.parametrize(("args", "said"), [
    (["--client-version", "新版"], "不是版本号"),
    (["--client-url", URL], "需要同时给出 --client-version"),
    (["--client-version", "0.2.0", "--client-notes", "长" * 2001], "最长 2000 字"),
])
def test_a_wrong_offer_is_refused_plainly_before_starting(tmp_path, args, said):
    result = CliRunner().invoke(server_cli, ["--db", str(tmp_path / "s.db"), "serve", *args])
    assert result.exit_code == 2 and said in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(("offered", "current", "newer"), [
    ("0.2.0", "0.1.0", True), ("0.10.0", "0.9.3", True), ("1.0", "0.99.99", True),
    ("0.2", "0.2.0", False), ("0.2.0", "0.2.0", False), ("0.1.9", "0.2.0", False), ("新版", "0.1.0", False),
    ("0.2.0rc1", "0.1.0", True),
])
def test_which_versions_count_as_newer(offered, current, newer):
    assert newer_version(offered, current) is newer
