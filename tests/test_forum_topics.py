"""Forum topics: cards go to the configured topic of the notify group, answers to the asker's."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings
from tests.conftest import ADMIN, GROUP, TOKEN
from tests.test_callbacks_seed import SECRET, seed_campaign, status_url
from tests.test_status_cards_commands import fire


def group_documents(telegram) -> list[dict]:
    return [message for message in telegram.chat(GROUP) if "document" in message]


async def finish_campaign(start_bot, bot_env, telegram, **settings: str) -> int:
    """A two-recipient SMS campaign that ends with one failure: its card and report are due."""
    seeded = seed_campaign(bot_env, ["79000000001", "79000000002"])
    bot = await start_bot(CALLBACK_SECRET=SECRET, **settings)
    first, second = seeded.message_ids
    await fire([status_url(bot.url, first, "1"), status_url(bot.url, second, "2")])
    await telegram.wait_for(lambda: group_documents(telegram), timeout=20)
    return seeded.campaign_id


async def test_every_card_and_report_goes_to_the_topic_of_its_type(start_bot, bot_env, telegram):
    await finish_campaign(
        start_bot, bot_env, telegram, NOTIFY_THREAD_ID="7", NOTIFY_THREADS="sms:12,email:14"
    )

    card = await telegram.wait_message(GROUP, "Final.", timeout=20)
    assert card["message_thread_id"] == 12
    await telegram.wait_for(lambda: telegram.calls("sendPhoto"))  # the delivery chart
    sent = telegram.calls("sendMessage") + telegram.calls("sendDocument")
    sent += telegram.calls("sendPhoto")
    to_group = [call for call in sent if call.params.get("chat_id") == GROUP]
    assert to_group
    assert all(call.params.get("message_thread_id") == 12 for call in to_group)
    assert all(message["message_thread_id"] == 12 for message in group_documents(telegram))
    # The author's private chat has no topics.
    author_card = await telegram.wait_message(ADMIN, "Final.", timeout=20)
    assert "message_thread_id" not in author_card


async def test_one_topic_takes_every_card_when_the_type_has_none_of_its_own(
    start_bot, bot_env, telegram
):
    await finish_campaign(start_bot, bot_env, telegram, NOTIFY_THREAD_ID="7")

    card = await telegram.wait_message(GROUP, "Final.", timeout=20)
    assert card["message_thread_id"] == 7
    assert [message["message_thread_id"] for message in group_documents(telegram)] == [7]


async def test_without_topics_configured_cards_carry_none(start_bot, bot_env, telegram):
    await finish_campaign(start_bot, bot_env, telegram)

    await telegram.wait_message(GROUP, "Final.", timeout=20)
    sent = telegram.calls("sendMessage") + telegram.calls("sendDocument")
    assert sent
    assert all("message_thread_id" not in call.params for call in sent)


async def test_the_digest_goes_to_the_notify_groups_topic(start_bot, telegram):
    bot = await start_bot(NOTIFY_THREAD_ID="7", NOTIFY_THREADS="sms:12", DIGEST_CRON="0 10 * * 1")

    assert await bot.app.digest.send()

    digest = await telegram.wait_message(GROUP, "Digest")
    assert digest["message_thread_id"] == 7


async def test_a_command_in_a_topic_is_answered_in_that_topic(start_bot, bot_env, telegram):
    seeded = seed_campaign(bot_env, ["79000000001", "79000000002"])
    await start_bot(CALLBACK_SECRET=SECRET, NOTIFY_THREAD_ID="7")

    asked = telegram.send_text(
        ADMIN, f"/status #{seeded.campaign_id}", chat_id=GROUP, chat_type="supergroup", thread_id=33
    )
    reply = await telegram.wait_message(
        GROUP, "State: waiting for statuses", after=asked["message_id"]
    )
    assert reply["message_thread_id"] == 33

    # Asked in the group's general topic, the answer stays there too.
    asked = telegram.send_text(ADMIN, f"/status #{seeded.campaign_id}", chat_id=GROUP)
    reply = await telegram.wait_message(
        GROUP, "State: waiting for statuses", after=reply["message_id"]
    )
    assert "message_thread_id" not in reply


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"NOTIFY_THREAD_ID": "general"}, "NOTIFY_THREAD_ID must be a topic id"),
        ({"NOTIFY_THREAD_ID": "-5"}, "NOTIFY_THREAD_ID must be a topic id"),
        ({"NOTIFY_THREADS": "sms=12"}, "NOTIFY_THREADS must be type:topic pairs"),
        ({"NOTIFY_THREADS": "sms:12,email:"}, "NOTIFY_THREADS must be type:topic pairs"),
        ({"NOTIFY_THREADS": "fax:3"}, "NOTIFY_THREADS names 'fax'"),
    ],
)
def test_malformed_topics_stop_the_start_with_one_line(settings, message, tmp_path):
    with pytest.raises(ConfigError) as error:
        load_settings(
            _env_file=None,
            bot_token=TOKEN,
            notify_chat_id=GROUP,
            data_dir=tmp_path,
            **{name.lower(): value for name, value in settings.items()},
        )
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_topics_need_a_notify_group(tmp_path):
    with pytest.raises(ConfigError, match="NOTIFY_CHAT_ID"):
        load_settings(_env_file=None, bot_token=TOKEN, notify_thread_id="7", data_dir=tmp_path)


def test_topics_are_read(tmp_path):
    settings = load_settings(
        _env_file=None,
        bot_token=TOKEN,
        notify_chat_id=GROUP,
        notify_thread_id="7",
        notify_threads=" SMS : 12 , email:14 ",
        data_dir=tmp_path,
    )
    assert settings.notify_thread_id == 7
    assert settings.notify_threads == {"sms": 12, "email": 14}
