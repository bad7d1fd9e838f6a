"""A big campaign's cost over its accepted messages is counted in the list process, beside the
event loop, with the same figure a small one gets from a worker thread."""

from __future__ import annotations

import bot.compose.costs
from bot.compose.list_process import BIG_LIST_ROWS
from tests.conftest import ADMIN
from tests.test_callbacks_seed import seed_campaign

TEXT = "Hi {name}, your order is ready for pickup at our store."
LONG_EVERY = 1000  # every such recipient's name makes their text two parts


def names(count: int) -> dict[str, dict[str, str]]:
    fields = {}
    for n in range(count):
        name = f"Ann {n}" + (" with a very long family name" * 4 if n % LONG_EVERY == 1 else "")
        fields[f"7900{n:07d}"] = {"name": name}
    return fields


async def test_a_big_campaigns_accepted_cost_is_counted_in_the_list_process(
    start_bot, bot_env, telegram, monkeypatch
):
    fields = names(BIG_LIST_ROWS + 1)
    refused = "79000000001"  # one of the long names: its two parts cost nothing
    seed_campaign(bot_env, list(fields), text=TEXT, fields=fields, rejected={refused: "bad"})
    await start_bot(PULSE_PRICES="sms:2.50")

    def not_here(*args, **kwargs):
        raise AssertionError("a big campaign's cost must not be counted in the program's process")

    # The list process imports its own copy of the counting; only the program's copy refuses.
    monkeypatch.setattr(bot.compose.costs, "measure", not_here)
    telegram.send_text(ADMIN, "/campaigns")
    listed = await telegram.wait_message(ADMIN, "Latest campaigns")
    accepted = BIG_LIST_ROWS
    long_ones = len([n for n in range(BIG_LIST_ROWS + 1) if n % LONG_EVERY == 1]) - 1
    parts = accepted + long_ones
    line = (
        f"💰 For accepted messages ≈ {parts * 2.5:,.2f}\xa0₽: {accepted:,} recipients, "
        f"{parts:,} SMS parts at 2.50\xa0₽"
    )
    assert line in listed["text"]
