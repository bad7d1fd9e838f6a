"""A big campaign's report files are built in the list process, beside the event loop, with the
same content a small campaign's get from a worker thread: every listed recipient with their
status, reason and cost, and the head's total over every accepted message."""

from __future__ import annotations

import sqlite3

import bot.statuses.big_report
from bot.compose.list_process import BIG_LIST_ROWS
from tests.conftest import ADMIN, GROUP
from tests.report_reader import read_report
from tests.test_callbacks_seed import SECRET, database_path, seed_campaign, status_url
from tests.test_status_cards_commands import fire

TEXT = "Hi {name}, your order is ready for pickup at our store."
FAILED_EVERY = 1000  # these recipients' messages fail; their names make two-part texts
TOTAL = "Estimated cost of the accepted messages, ₽"
COST = "Estimated cost, ₽"


def document(telegram, name_part: str):
    return next(
        (
            m
            for m in telegram.chat(GROUP)
            if name_part in m.get("document", {}).get("file_name", "")
        ),
        None,
    )


async def test_a_big_campaigns_reports_are_built_in_the_list_process(
    start_bot, bot_env, telegram, monkeypatch
):
    count = BIG_LIST_ROWS + 1
    fields = {
        f"7900{n:07d}": {
            "name": f"Ann {n}"
            + (" with a very long family name" * 4 if n % FAILED_EVERY == 0 else "")
        }
        for n in range(count)
    }
    refused = "79000000007"
    seeded = seed_campaign(
        bot_env, list(fields), text=TEXT, fields=fields, rejected={refused: "bad"}
    )
    *settled, last = seeded.message_ids
    with sqlite3.connect(database_path(bot_env)) as conn:  # statuses came for all but the last
        conn.executemany(
            "UPDATE messages SET status_raw = ?, status_class = ? WHERE id = ? AND state = 'accepted'",
            [
                (*(("2", "failed") if index % FAILED_EVERY == 0 else ("1", "delivered")), id_)
                for index, id_ in enumerate(settled)
            ],
        )
    program = await start_bot(CALLBACK_SECRET=SECRET, PULSE_PRICES="sms:2.50")

    def not_here(*args, **kwargs):
        raise AssertionError("a big campaign's report must not be written in the program's process")

    # The list process imports its own copy of the writer; only the program's copy refuses.
    monkeypatch.setattr(bot.statuses.big_report, "report_csv", not_here)
    await fire([status_url(program.url, last, "1")])

    failed = [n for n in range(count - 1) if n % FAILED_EVERY == 0]  # the last one delivered
    accepted = count - 1
    parts = accepted + len(failed) + 1  # the long names: two parts each
    undelivered = await telegram.wait_for(lambda: document(telegram, "undelivered"), timeout=60)
    report = read_report(undelivered["document"]["content"])
    assert report.head[TOTAL] == f"{parts * 2.5:.2f}"
    assert [row["Address"] for row in report.rows] == sorted(
        [refused, *(f"7900{n:07d}" for n in failed)]
    )
    rows = {row["Address"]: row for row in report.rows}
    assert rows[refused]["Status"] == "rejected"
    assert rows[refused][COST] == ""
    assert rows["79000000000"]["Status"] == "failed"
    assert rows["79000000000"][COST] == "5.00"
    assert f"did not get the message: {len(failed) + 1} (" in undelivered["caption"]

    card = await telegram.wait_message(GROUP, "Final")
    query = telegram.press(ADMIN, card, telegram.find_button(card, "Full report"), strict=True)
    await telegram.wait_answer(query)
    full = await telegram.wait_for(lambda: document(telegram, "all-recipients"), timeout=60)
    report = read_report(full["document"]["content"])
    assert len(report.rows) == count
    assert report.head[TOTAL] == f"{parts * 2.5:.2f}"
    assert report.rows[1] == {
        "Address": "79000000001",
        "name": "Ann 1",
        "Status": "delivered",
        "Platform status": "1",
        "Reason": "",
        "Time of the last status": report.rows[1]["Time of the last status"],
        COST: "2.50",
    }
    assert f"recipients: {count:,}" in full["caption"]
