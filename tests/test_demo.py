"""`python -m bot demo`: the real program behind a chat page, with nothing reaching past loopback."""

from __future__ import annotations

import asyncio
import csv
import io
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp
import phonenumbers
import pytest

from bot.app import Application
from bot.demo.page import sample_list
from bot.demo.run import GROUP_ID, PEOPLE, PortBusy, demo_data_dir, run_demo
from tests.bot_process import ROOT, free_port, wait_until_healthy
from tests.demo_page_user import PageUser

ADMIN, OPERATOR, VIEWER = (person.user_id for person in PEOPLE)
# What a production install may have configured: the demo must use none of it.
PRODUCTION = {
    "BOT_TOKEN": "987654:production-token",
    "PULSE_TOKEN": "production-platform-token",
    "TELEGRAM_API_URL": "https://api.telegram.org",
    "PULSE_API_URL": "https://1-pulse.kupon.mobi/api/v1",
    "PUBLIC_URL": "https://bridge.example.com",
    "TELEGRAM_WEBHOOK": "1",
    "WEB_HOST": "0.0.0.0",
    "ADMIN_IDS": "555",
    "NOTIFY_CHAT_ID": "-100555",
}


def production_dotenv(folder: Path) -> Path:
    """A working directory whose .env names a production data directory and token."""
    production_data = folder / "production-data"
    lines = [f"{key}={value}" for key, value in PRODUCTION.items()]
    (folder / ".env").write_text(
        "\n".join([*lines, f"DATA_DIR={production_data}"]) + "\n", encoding="utf-8"
    )
    return production_data


class Destinations:
    """Every host the program looked up or connected to."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.hosts: list[str] = []
        loop_class = asyncio.BaseEventLoop
        connect, lookup = loop_class.create_connection, loop_class.getaddrinfo
        socket_class = asyncio.selector_events.BaseSelectorEventLoop
        socket_connect = socket_class.sock_connect

        async def create_connection(loop, protocol_factory, host=None, port=None, **kwargs):
            if host is not None:  # otherwise a socket connected by sock_connect is handed over
                self.hosts.append(str(host))
            return await connect(loop, protocol_factory, host, port, **kwargs)

        async def sock_connect(loop, sock, address):
            self.hosts.append(str(address[0]))
            return await socket_connect(loop, sock, address)

        async def getaddrinfo(loop, host, *args, **kwargs):
            self.hosts.append(host.decode() if isinstance(host, bytes) else str(host))
            return await lookup(loop, host, *args, **kwargs)

        monkeypatch.setattr(loop_class, "create_connection", create_connection)
        monkeypatch.setattr(loop_class, "getaddrinfo", getaddrinfo)
        monkeypatch.setattr(socket_class, "sock_connect", sock_connect)

    def outside_loopback(self) -> list[str]:
        def loopback(host: str) -> bool:
            if host == "localhost":
                return True
            try:
                return ipaddress.ip_address(host).is_loopback
            except ValueError:
                return False

        return [host for host in self.hosts if not loopback(host)]


@pytest.fixture
async def demo(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """The demo in this event loop, started from a folder configured for production."""
    production_data = production_dotenv(tmp_path)
    monkeypatch.chdir(tmp_path)
    for key, value in PRODUCTION.items():
        monkeypatch.setenv(key, value)
    port = free_port()
    monkeypatch.setenv("WEB_PORT", str(port))
    monkeypatch.setenv("SANDBOX_STATUS_SECONDS", "2")
    destinations = Destinations(monkeypatch)
    data_dir = tmp_path / "demo-data"
    started: asyncio.Future[Application] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(
        run_demo(
            data_dir,
            handle_signals=False,
            log_setup=lambda secrets: None,
            started=started.set_result,
        )
    )
    app = await asyncio.wait_for(asyncio.shield(started), 30)
    url = f"http://127.0.0.1:{port}"
    await wait_until_healthy(url, 30, lambda: repr(task.exception()) if task.done() else None)
    yield app, url, destinations, data_dir, production_data
    app.stopping.set()
    await asyncio.wait_for(task, 20)


async def test_a_campaign_through_the_page_reaches_its_final_card_without_leaving_loopback(demo):
    app, url, destinations, data_dir, production_data = demo
    async with aiohttp.ClientSession() as session:
        admin = PageUser(session, url, ADMIN)
        await admin.open()
        assert admin.state["group_id"] == GROUP_ID
        assert [person["role"] for person in admin.state["people"]] == [
            "admin",
            "operator",
            "viewer",
        ]

        await admin.say("/start")
        reply = await admin.wait_for(lambda: admin.bot_messages())
        assert "SANDBOX" in reply[0]["text"]
        assert admin.messages()[0]["text"] == "/start"  # the person's own message is shown too

        async with session.get(f"{url}/demo/sample.csv") as response:
            assert response.status == 200
            sample = await response.read()

        await admin.say("/new")
        await admin.wait_for(lambda: any(m["buttons"] for m in admin.bot_messages()))
        card_id = admin.card()["message_id"]
        edited = lambda text: (  # noqa: E731
            admin.card()["message_id"] == card_id and text in admin.card()["text"]
        )
        await admin.press("SMS")
        await admin.wait_for(lambda: edited("SMS") and len(admin.card()["buttons"]) == 1)
        await admin.say("Pulse")
        await admin.wait_for(lambda: edited("Pulse") and "{name}" in admin.card()["text"])
        await admin.upload("sample-customers.csv", sample, "text/csv")
        await admin.wait_for(lambda: edited("50") and "{city}" in admin.card()["text"])
        await admin.say("Здравствуйте, {name}! Скидка 10% до воскресенья.")
        first_name = next(csv.DictReader(io.StringIO(sample.decode())))["name"]
        await admin.wait_for(lambda: edited(f"Здравствуйте, {first_name}!"))
        preview = admin.card()
        send_label = preview["buttons"][0][0]["text"]
        await admin.press(send_label, preview)

        def final_card() -> dict | None:
            rows = app.store.messages.rows(1)
            if len(rows) != 50 or any(row.status_class in (None, "pending") for row in rows):
                return None
            delivered = sum(row.status_class == "delivered" for row in rows)
            failed = sum(row.status_class == "failed" for row in rows)
            for message in admin.bot_messages(GROUP_ID):
                text = message.get("text") or ""
                if "🏁" in text and f": {delivered} " in text and f": {failed}\n" in text:
                    return message
            return None

        card = await admin.wait_for(final_card, 60)
        assert "Pulse" in card["text"]
        report = await admin.wait_for(
            lambda: [m for m in admin.bot_messages(GROUP_ID) if m.get("document")]
        )
        async with session.get(f"{url}/demo/file/{report[0]['document']['file_id']}") as response:
            assert response.status == 200
            assert b"79" in await response.read()
        await admin.close()

    assert destinations.hosts, "connections were not observed"
    assert destinations.outside_loopback() == []
    assert not production_data.exists()
    assert (data_dir / "pulse-bridge.db").exists()
    assert app.settings.sandbox
    assert app.settings.web_host == "127.0.0.1"


async def test_each_member_sees_their_own_chat_and_what_their_role_allows(demo):
    app, url, *_ = demo
    async with aiohttp.ClientSession() as session:
        viewer = PageUser(session, url, VIEWER)
        await viewer.open()
        await viewer.say("/new")
        refusal = await viewer.wait_for(lambda: viewer.bot_messages())
        operator = PageUser(session, url, OPERATOR)
        await operator.open()
        await operator.say("/new")
        await operator.wait_for(lambda: any(m["buttons"] for m in operator.bot_messages()))
        assert not refusal[0]["buttons"]
        assert operator.messages(VIEWER) == viewer.messages()  # both pages share one Telegram
        assert viewer.state["chats"][str(OPERATOR)] == []
        await viewer.close()
        await operator.close()
    assert app.store.members.role_of(OPERATOR).value == "operator"
    assert app.store.members.role_of(VIEWER).value == "viewer"


async def test_the_page_refuses_other_sites_strangers_and_buttons_it_does_not_show(demo):
    _app, url, *_ = demo
    async with aiohttp.ClientSession() as session:
        for path, content_type in (("", "text/html"), ("/app.js", "text/javascript")):
            async with session.get(f"{url}/demo{path}") as response:
                assert response.status == 200
                assert response.content_type == content_type
        forged = {"Origin": "https://evil.example"}
        body = {"user_id": ADMIN, "text": "/start"}
        async with session.post(f"{url}/demo/api/text", json=body, headers=forged) as response:
            assert response.status == 403
        async with session.post(f"{url}/demo/api/text", data="user_id=1001&text=hi") as response:
            assert response.status == 415
        stranger = {"user_id": 42, "text": "/start"}
        async with session.post(f"{url}/demo/api/text", json=stranger) as response:
            assert response.status == 400
        press = {"user_id": ADMIN, "chat_id": ADMIN, "message_id": 1, "data": "anything"}
        async with session.post(f"{url}/demo/api/press", json=press) as response:
            assert response.status == 404
        async with session.get(f"{url}/demo/file/nothing") as response:
            assert response.status == 404


async def test_a_photo_attached_on_the_page_reaches_the_bot_as_a_photo(demo):
    _app, url, *_ = demo
    png = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
    async with aiohttp.ClientSession() as session:
        operator = PageUser(session, url, OPERATOR)
        await operator.open()
        await operator.upload("picture.png", png, "image/png")
        shown = await operator.wait_for(lambda: [m for m in operator.messages() if "photo" in m])
        assert shown[0]["from"]["first_name"] == "Борис"
        assert "document" not in shown[0]
        async with session.get(f"{url}/demo/file/{shown[0]['photo']['file_id']}") as response:
            assert response.status == 200
            assert response.content_type.startswith("image/")  # Telegram keeps photos as JPEG
            assert await response.read() == png
        await operator.close()


def test_the_sample_list_has_fifty_invented_customers_with_valid_mobile_numbers():
    rows = list(csv.DictReader(io.StringIO(sample_list())))
    assert len(rows) == 50
    assert len({row["phone"] for row in rows}) == 50
    for row in rows:
        number = phonenumbers.parse(row["phone"])
        assert phonenumbers.is_valid_number(number), row
        assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE, row
        assert row["name"].isalpha(), row
        assert "а" <= row["name"][1] <= "я", row  # Russian names
    assert sample_list() == sample_list()  # the same list every time


async def test_a_taken_port_is_refused_in_one_line_before_anything_starts(monkeypatch, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        monkeypatch.setenv("WEB_PORT", str(port))
        with pytest.raises(PortBusy, match=f"WEB_PORT={port + 10} python -m bot demo"):
            await run_demo(tmp_path / "data", handle_signals=False, log_setup=lambda secrets: None)
    assert not (tmp_path / "data").exists()


def test_the_demo_keeps_its_data_in_a_fresh_folder_unless_data_dir_is_set(monkeypatch, tmp_path):
    monkeypatch.delenv("DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    production_dotenv(tmp_path)
    folder, temporary = demo_data_dir()
    try:
        assert temporary
        assert list(folder.iterdir()) == []
        assert tmp_path not in folder.parents
    finally:
        folder.rmdir()
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "asked"))
    assert demo_data_dir() == (tmp_path / "asked", False)


async def test_python_m_bot_demo_prints_the_page_first_and_cleans_up_on_sigterm(tmp_path):
    production_data = production_dotenv(tmp_path)
    port = free_port()
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PULSE_", "BOT_", "DATA_DIR", "WEB_", "TELEGRAM_"))
    }
    environment |= {"WEB_PORT": str(port), "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    environment["TMPDIR"] = str(tmp_path / "tmp")
    (tmp_path / "tmp").mkdir()
    log_path = tmp_path / "demo.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "demo"],
            cwd=tmp_path,
            env=environment,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        ended = lambda: log_path.read_text() if process.poll() is not None else None  # noqa: E731
        await wait_until_healthy(f"http://127.0.0.1:{port}", 60, ended)
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/demo") as response,
        ):
            assert response.status == 200
        demo_folders = list((tmp_path / "tmp").glob("pulse-bridge-demo-*"))
        assert len(demo_folders) == 1
        assert (demo_folders[0] / "pulse-bridge.db").exists()
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(process.wait, 30)
    lines = log_path.read_text(encoding="utf-8").splitlines()
    assert code == 0, lines
    assert f"open http://127.0.0.1:{port}/demo" in lines[0]
    assert not demo_folders[0].exists()
    assert not production_data.exists()


SCREENSHOTS = Path(os.environ.get("DEMO_SCREENSHOTS", ROOT / "artefacts" / "demo"))


@pytest.mark.browser
async def test_in_a_real_browser_a_campaign_goes_from_new_to_its_final_card(demo, tmp_path):
    """Debian's chromium, driven by Playwright: what a newcomer does on the page, step by step."""
    playwright_api = pytest.importorskip("playwright.async_api")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "install Debian's chromium (apt-get install -y chromium)"
    app, url, destinations, *_ = demo
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    async with playwright_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        page = await browser.new_page(
            viewport={"width": 1400, "height": 900}, accept_downloads=True
        )
        expect = playwright_api.expect
        await page.goto(f"{url}/demo")
        private, group = page.locator("#private"), page.locator("#group")
        composing = private.locator(".message:not(.mine):has(.buttons)").last  # edited in place
        await expect(page.locator("#send")).to_have_text("Отправить")

        async def say(text: str) -> None:
            await page.fill("#text", text)
            await page.press("#text", "Enter")

        await say("/new")
        await private.locator(".buttons button", has_text="SMS").last.click()
        await expect(composing).to_contain_text("Тип: SMS")
        await say("Pulse")
        await expect(composing).to_contain_text("{name}", timeout=30_000)
        async with page.expect_download() as download_info:
            await page.click("#sample")
        sample = tmp_path / "sample-customers.csv"
        await (await download_info.value).save_as(sample)
        await page.set_input_files("#file", str(sample))
        await expect(composing).to_contain_text("{city}", timeout=30_000)
        await say("Здравствуйте, {name}! Скидка 10% до воскресенья.")
        first_name = next(csv.DictReader(io.StringIO(sample.read_text(encoding="utf-8"))))["name"]
        preview = composing
        await expect(preview).to_contain_text(f"Здравствуйте, {first_name}!", timeout=30_000)
        await page.screenshot(path=str(SCREENSHOTS / "preview.png"))
        await preview.locator("button").first.click()

        card = group.locator(".message", has_text="🏁")
        await expect(card).to_have_count(1, timeout=90_000)
        await expect(group.locator(".document a")).to_have_count(1, timeout=30_000)
        rows = app.store.messages.rows(1)
        delivered = sum(row.status_class == "delivered" for row in rows)
        failed = sum(row.status_class == "failed" for row in rows)
        assert delivered + failed == 50
        await expect(card).to_contain_text(f": {delivered} ")
        await expect(card).to_contain_text(f": {failed}")
        assert await card.locator("b").count() > 0  # the card's HTML became markup
        # The author's own card, edited in place too, reaches the same figures.
        own_card = private.locator(".message", has_text="🏁")
        await expect(own_card).to_have_count(1, timeout=30_000)
        await expect(own_card).to_contain_text(f": {delivered} ")
        await page.screenshot(path=str(SCREENSHOTS / "final.png"))

        # What a person types is shown as typed, never as markup.
        await say("<i>not markup</i> & <script>alert(1)</script>")
        mine = private.locator(".message.mine").last
        await expect(mine).to_contain_text("<i>not markup</i> & <script>")
        assert await mine.locator("i, script").count() == 0
        await browser.close()
    assert destinations.outside_loopback() == []


def test_demo_statuses_come_over_a_minute_while_the_sandbox_default_stays_quick(monkeypatch):
    from bot.config import load_settings
    from bot.demo.run import demo_settings
    from bot.sending.from_settings import status_spread

    monkeypatch.delenv("SANDBOX_STATUS_SECONDS", raising=False)
    monkeypatch.delenv("SANDBOX_FAIL_SHARE", raising=False)
    settings = demo_settings("http://127.0.0.1:1", Path("unused"))
    spread = status_spread(settings.sandbox_status_seconds)
    assert spread["accepted_after"][1] + spread["final_after"][1] == pytest.approx(60)
    assert settings.sandbox_fail_share > 0
    default = status_spread(load_settings(_env_file=None, bot_token="1:a").sandbox_status_seconds)
    assert default["accepted_after"] == pytest.approx((0.3, 1.0))
    assert default["final_after"] == pytest.approx((0.5, 1.5))
