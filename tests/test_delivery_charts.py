"""Delivery charts: the final report carries a PNG of the campaign, and /status offers one."""

from __future__ import annotations

import importlib
import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

from aiogram.exceptions import TelegramServerError
from aiogram.methods import SendDocument
from PIL import Image

from storage.members import Role
from storage.statuses import IncomingStatus
from storage.store import Store
from tests.conftest import ADMIN, GROUP, TOKEN
from tests.test_callbacks_seed import SECRET, seed_campaign, status_url
from tests.test_status_cards_commands import fire
from tests.test_status_cards_notifier import (
    AUTHOR,
    RecordingBot,
    campaign_of,
    notifier_for,
    tracker_for,
)
from tests.test_status_cards_notifier import GROUP as NOTIFIER_GROUP

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def photos(telegram, chat: int) -> list[dict]:
    return [message for message in telegram.chat(chat) if "photo" in message]


def picture(telegram, message: dict) -> Image.Image:
    stored = telegram.file(message["photo"][-1]["file_id"])
    assert stored.content.startswith(PNG_SIGNATURE)
    return Image.open(io.BytesIO(stored.content))


async def test_the_final_report_carries_a_delivery_chart(start_bot, bot_env, telegram):
    seeded = seed_campaign(bot_env, ["79000000001", "79000000002", "79000000003"])
    bot = await start_bot(CALLBACK_SECRET=SECRET)
    first, second, third = seeded.message_ids
    await fire([status_url(bot.url, first, "8"), status_url(bot.url, first, "1")])
    await fire([status_url(bot.url, second, "1"), status_url(bot.url, third, "2")])

    chart = await telegram.wait_for(lambda: next(iter(photos(telegram, GROUP)), None), timeout=30)

    assert f"Campaign №{seeded.campaign_id}: delivery over time" in chart["caption"]
    assert "Delivered: 2 of 3 (66.7%)" in chart["caption"]
    image = picture(telegram, chart)
    assert image.format == "PNG"
    assert image.size == (900, 500)
    colours = image.convert("RGB").getcolors(maxcolors=100_000) or []
    assert len(colours) > 10  # lines and words, not a blank canvas
    # The report file follows the chart, and the author's chat gets both too.
    report = await telegram.wait_for(
        lambda: next((m for m in telegram.chat(GROUP) if "document" in m), None)
    )
    assert report["message_id"] > chart["message_id"]
    author_chart = await telegram.wait_for(lambda: photos(telegram, ADMIN), timeout=30)
    assert picture(telegram, author_chart[0]).size == (900, 500)
    assert len(photos(telegram, GROUP)) == 1


async def test_the_chart_speaks_russian(start_bot, bot_env, telegram):
    seeded = seed_campaign(bot_env, ["79000000001", "79000000002"])
    bot = await start_bot(CALLBACK_SECRET=SECRET, LOCALE="ru")
    first, second = seeded.message_ids
    await fire([status_url(bot.url, first, "1"), status_url(bot.url, second, "1")])

    chart = await telegram.wait_for(lambda: next(iter(photos(telegram, GROUP)), None), timeout=30)

    assert f"Рассылка №{seeded.campaign_id}: доставка во времени" in chart["caption"]
    assert "Доставлено 2 из 2 (100%)" in chart["caption"]
    assert picture(telegram, chart).size == (900, 500)


async def test_status_of_a_running_campaign_offers_its_chart(start_bot, bot_env, telegram):
    seeded = seed_campaign(bot_env, ["79000000001", "79000000002"])
    bot = await start_bot(CALLBACK_SECRET=SECRET)
    await fire([status_url(bot.url, seeded.message_ids[0], "1")])

    telegram.send_text(ADMIN, f"/status {seeded.campaign_id}")
    answer = await telegram.wait_message(ADMIN, "Latest statuses")
    query = telegram.press(ADMIN, answer, telegram.find_button(answer, "Chart"), strict=True)

    assert "Drawing" in (await telegram.wait_answer(query)).get("text", "")
    chart = await telegram.wait_message(ADMIN, "delivery over time", after=answer["message_id"])
    assert "Delivered: 1 of 2 (50%)" in chart["caption"]
    assert picture(telegram, chart).size == (900, 500)


async def test_a_campaign_nothing_reached_has_no_chart_to_draw(start_bot, bot_env, telegram):
    refused = {"79000000001": "no money", "79000000002": "no money"}
    seeded = seed_campaign(bot_env, list(refused), rejected=refused)
    await start_bot(CALLBACK_SECRET=SECRET)
    telegram.send_text(ADMIN, f"/status {seeded.campaign_id}")
    answer = await telegram.wait_message(ADMIN, "State: finished")

    telegram.press(ADMIN, answer, telegram.find_button(answer, "Chart"), strict=True)

    reply = await telegram.wait_message(ADMIN, "nothing to draw yet", after=answer["message_id"])
    assert "photo" not in reply
    assert photos(telegram, GROUP) == []  # nor does its final report


async def test_a_single_message_offers_no_chart(start_bot, bot_env, telegram):
    seeded = seed_campaign(bot_env, ["79000000001"])
    await start_bot(CALLBACK_SECRET=SECRET)
    telegram.send_text(ADMIN, f"/status {seeded.campaign_id}")
    answer = await telegram.wait_message(ADMIN, "Message №")
    assert telegram.buttons(answer) == []


@contextmanager
def fresh_program_modules() -> Iterator[list[str]]:
    """The program's modules imported anew, as at a start; yields what tried to load matplotlib.
    The modules this test process already holds are put back afterwards."""
    ours = ("bot", "handlers", "storage", "locales", "matplotlib")
    saved = {name: module for name, module in sys.modules.items() if name.split(".")[0] in ours}
    attempts: list[str] = []

    class Refuse:
        @staticmethod
        def find_spec(name, path=None, target=None):
            if name.split(".")[0] == "matplotlib":
                attempts.append(name)
            return None

    for name in saved:
        del sys.modules[name]
    sys.meta_path.insert(0, Refuse)
    try:
        yield attempts
    finally:
        sys.meta_path.remove(Refuse)
        for name in [name for name in sys.modules if name.split(".")[0] in ours]:
            del sys.modules[name]
        sys.modules.update(saved)


def test_the_program_starts_without_loading_matplotlib(tmp_path):
    with fresh_program_modules() as attempts:
        importlib.import_module("bot.__main__")
        config = importlib.import_module("bot.config")
        app = importlib.import_module("bot.app")
        settings = config.load_settings(_env_file=None, bot_token=TOKEN, data_dir=tmp_path)
        program = app.Application(settings)
        program.store.close()
        assert "matplotlib" not in sys.modules
    assert attempts == []


class FlakyReportBot(RecordingBot):
    """Telegram fails the group's first report file after it took the chart."""

    def __init__(self) -> None:
        super().__init__()
        self.failed = False

    async def send_document(self, chat_id: int, document, caption: str) -> SimpleNamespace:
        if chat_id == NOTIFIER_GROUP and not self.failed:
            self.failed = True
            method = SendDocument(chat_id=chat_id, document="report.csv")
            raise TelegramServerError(method=method, message="Internal Server Error")
        return await super().send_document(chat_id, document, caption)


async def test_a_report_sent_again_after_a_failure_carries_its_chart_once(tmp_path):
    store = Store.open(tmp_path / "cards.db")
    store.members.set_role(AUTHOR, Role.OPERATOR, added_by=None)
    notifier = notifier_for(store, tmp_path, FlakyReportBot())
    message_ids = campaign_of(store, 2)
    campaign_id = store.messages.get(message_ids[0]).campaign_id
    store.statuses.apply(
        [
            IncomingStatus(message_ids[0], "1", "delivered"),
            IncomingStatus(message_ids[1], "2", "failed"),
        ]
    )
    try:
        tracker_for(notifier).campaign_changed(campaign_id)
        await notifier.drawn()
        owed = store.reports.is_owed(campaign_id, NOTIFIER_GROUP)
    finally:
        await notifier.stop()
        store.close()

    calls = [(method, chat) for _, method, chat, _ in notifier.bot.calls]
    assert notifier.bot.failed
    assert calls.count(("document", NOTIFIER_GROUP)) == 1  # sent on the second try
    assert calls.count(("photo", NOTIFIER_GROUP)) == 1
    assert calls.count(("photo", AUTHOR)) == 1
    assert not owed
