"""The digest and strangers' access requests at the service level: what each tells, as facts,
through a recorder standing in for Telegram."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import bot.statuses.digest
from bot.app import NOTICE_CARDS
from bot.compose.list_process import BIG_LIST_ROWS, stop_list_process
from bot.config import load_settings
from bot.i18n import make_i18n
from bot.members.cards import AccessGrant
from bot.members.requests import SHOWN_CHARS, AccessRequested, tell_admins
from bot.notices import TelegramNotices
from bot.statuses.digest import (
    LAST_DIGEST_KEY,
    DayFigures,
    DigestNotice,
    DigestService,
    TypeFigures,
)
from bot.statuses.spend import Spend
from storage.clock import to_iso, utc_now
from storage.members import Role
from storage.statuses import IncomingStatus
from storage.store import Store
from tests.conftest import ADMIN, GROUP, OPERATOR, STRANGER
from tests.recording_notices import RecordingNotices
from tests.test_callbacks_seed import database_path, seed_campaign

OTHER_ADMIN = 1002


async def test_the_digest_tells_the_periods_figures_and_keeps_a_period_telegram_refused(
    bot_env,
):
    seeded = seed_campaign(
        bot_env, ["79000000001", "79000000002", "79000000003"], rejected={"79000000003": "bad"}
    )
    first, second = seeded.message_ids[:2]
    settings = load_settings(
        _env_file=None,
        **{key.lower(): value for key, value in bot_env.items() if key != "CWD"},
        pulse_prices="sms:2.50",
    )
    store = Store.open(database_path(bot_env))
    store.statuses.apply(
        [IncomingStatus(first, "DELIVRD", "delivered"), IncomingStatus(second, "UNDELIV", "failed")]
    )
    now = [utc_now().replace(microsecond=0) + timedelta(minutes=1)]  # as stored
    notices = RecordingNotices()
    digest = DigestService(notices, store, settings, lambda: now[0])
    try:
        assert await digest.send()

        [told] = notices.of(DigestNotice, GROUP)
        assert told.types == (TypeFigures("sms", 1, 3, 2, 1),)
        [day] = told.days
        assert day == DayFigures(day.day, delivered=1, failed=1, pending=0)
        assert told.spend == Spend(Decimal("5.00"), 2)
        assert told.end == now[0]
        assert store.kv.get(LAST_DIGEST_KEY) == to_iso(now[0])

        # Telegram refuses the next one: the one after covers its period too.
        notices.unreachable.add(GROUP)
        now[0] += timedelta(days=7)
        assert not await digest.send()
        assert store.kv.get(LAST_DIGEST_KEY) == to_iso(told.end)

        notices.unreachable.clear()
        later = now[0] + timedelta(days=7)
        now[0] = later
        assert await digest.send()
        _, after = notices.of(DigestNotice, GROUP)
        assert (after.start, after.end) == (told.end, later)
        assert after.types == ()
        assert after.days == ()
        assert after.spend == Spend()
    finally:
        store.close()


async def test_a_strangers_request_reaches_each_admin_it_can_once_a_day(tmp_path):
    store = Store.open(tmp_path / "db.sqlite")
    store.members.bootstrap_admins([ADMIN, OTHER_ADMIN])
    store.members.set_role(OPERATOR, Role.OPERATOR, added_by=ADMIN)
    notices = RecordingNotices()
    notices.unreachable.add(OTHER_ADMIN)  # blocked the bot: the other admin still hears
    asked = AccessRequested(STRANGER, "Ann <Lee>", "ann_lee", "let me in " * 40)
    now = utc_now()
    try:
        assert await tell_admins(notices, store, asked, now)

        [told] = notices.of(AccessRequested, ADMIN)
        assert (told.user_id, told.name, told.username) == (STRANGER, "Ann <Lee>", "ann_lee")
        assert len(told.text) == SHOWN_CHARS
        assert told.text.endswith("…")
        assert [chat for chat, _ in notices.refused] == [OTHER_ADMIN]
        assert notices.of(AccessRequested, OPERATOR) == []

        assert not await tell_admins(notices, store, asked, now + timedelta(hours=23))
        assert len(notices.told) == 1
        assert await tell_admins(notices, store, asked, now + timedelta(hours=25))
        assert len(notices.of(AccessRequested, ADMIN)) == 2
    finally:
        store.close()


def test_the_digest_and_the_request_read_in_the_configured_language(tmp_path):
    i18n = make_i18n("ru", tmp_path / "locales")
    cards = TelegramNotices(None, i18n, "ru", NOTICE_CARDS)  # type: ignore[arg-type]
    at = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    digest = cards.render(
        DigestNotice(
            at - timedelta(days=7),
            at,
            ZoneInfo("Europe/Moscow"),
            (TypeFigures("sms", 1, 3, 2, 1),),
            (DayFigures("2026-11-29", 1, 1, 0),),
            Spend(Decimal("5.00"), 2),
            "₽",
        )
    )
    assert "Рассылок: 1 · получателей: 3" in digest.text
    assert digest.photo is not None
    assert digest.photo.filename == "digest.png"
    # The chart's words are read now, in the configured language, though it is drawn later.
    assert callable(digest.photo.content)
    assert digest.photo.content.args[2].title == "Сообщения, принятые платформой, по дням"

    asked = cards.render(AccessRequested(STRANGER, "Ann <Lee>", "ann_lee", "впустите <b>"))
    assert asked.text.startswith(f"Ann &lt;Lee&gt; @ann_lee (<code>{STRANGER}</code>) не в команде")
    assert "«впустите &lt;b&gt;». Дать доступ?" in asked.text
    [[operator, viewer]] = asked.markup.inline_keyboard
    assert operator.text == "Дать доступ оператора"
    assert AccessGrant.unpack(operator.callback_data) == AccessGrant(
        user_id=STRANGER, role=Role.OPERATOR
    )
    assert AccessGrant.unpack(viewer.callback_data).role is Role.VIEWER


async def test_a_big_periods_spend_is_summed_in_the_list_process(bot_env, monkeypatch):
    count = BIG_LIST_ROWS + 1
    fields = {
        f"7900{n:07d}": {"name": f"Ann {n}" + (" with a long family name" * 6 if n % 100 else "")}
        for n in range(count)
    }
    text = "Hi {name}, your order is ready."
    seed_campaign(bot_env, list(fields), text=text, fields=fields, rejected={"79000000001": "bad"})
    settings = load_settings(
        _env_file=None,
        **{key.lower(): value for key, value in bot_env.items() if key != "CWD"},
        pulse_prices="sms:2.50",
    )

    def not_here(*args, **kwargs):
        raise AssertionError("a big period's spend must not be summed in the program's process")

    # The list process imports its own copy of the sum; only the program's copy refuses.
    monkeypatch.setattr(bot.statuses.digest, "spend_of", not_here)
    store = Store.open(database_path(bot_env))
    notices = RecordingNotices()
    now = utc_now().replace(microsecond=0) + timedelta(minutes=1)
    try:
        assert await DigestService(notices, store, settings, lambda: now).send()
    finally:
        store.close()
        stop_list_process()

    [told] = notices.of(DigestNotice, GROUP)
    accepted = count - 1
    long_ones = len([n for n in range(count) if n % 100 and n != 1])  # two parts each
    assert told.spend == Spend(Decimal("2.50") * (accepted + long_ones), accepted)
