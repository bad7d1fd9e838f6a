"""Whole-campaign scans run off the event loop: a big campaign's figures, the rows of its report
and the report file itself are read and written in worker threads over connections of their
own, never through the program's connection on the loop."""

from __future__ import annotations

import threading

import bot.statuses.big_report
import bot.statuses.figures
from tests.conftest import ADMIN, GROUP
from tests.report_reader import read_report
from tests.test_callbacks_seed import SECRET, seed_campaign, status_url
from tests.test_status_cards_commands import fire

# The scans that grow with a campaign's size, as the program's connection would run them.
FIGURES_SCAN = "GROUP BY state, status_class"
REPORT_SCAN = "FROM messages WHERE campaign_id = ? AND NOT (state = 'accepted'"
FULL_REPORT_SCAN = "SELECT * FROM messages WHERE campaign_id = ? ORDER BY seq"


async def test_a_big_campaigns_card_report_and_status_are_counted_off_the_loop(
    start_bot, bot_env, telegram, monkeypatch
):
    # Three recipients stand for a big campaign: the size from which counting moves apart.
    monkeypatch.setattr(bot.statuses.figures, "COUNTED_APART_FROM", 3)
    written_in: list[int] = []
    report_csv = bot.statuses.big_report.report_csv

    def recording_report_csv(*args, **kwargs):
        written_in.append(threading.get_ident())
        return report_csv(*args, **kwargs)

    monkeypatch.setattr(bot.statuses.big_report, "report_csv", recording_report_csv)
    seeded = seed_campaign(bot_env, ["79000000001", "79000000002", "79000000003"])
    program = await start_bot(CALLBACK_SECRET=SECRET)
    on_loop: list[str] = []  # every statement the program's own connection runs
    program.app.store.db.conn.set_trace_callback(on_loop.append)
    first, second, third = seeded.message_ids

    await fire(
        [
            status_url(program.url, first, "1"),
            status_url(program.url, second, "2"),
            status_url(program.url, third, "1"),
        ]
    )
    report = await telegram.wait_for(
        lambda: next((m for m in telegram.chat(GROUP) if "document" in m), None), timeout=30
    )
    rows = read_report(report["document"]["content"]).rows
    assert [row["Address"] for row in rows] == ["79000000002"]
    card = await telegram.wait_message(GROUP, "Final")
    assert "✅ Delivered: 2 (66.7%)" in card["text"]
    assert "❌ Failed: 1" in card["text"]

    telegram.send_text(ADMIN, f"/status {seeded.campaign_id}")
    status = await telegram.wait_message(ADMIN, "Latest statuses")
    assert "✅ Delivered: 2 (66.7%)" in status["text"]
    telegram.send_text(ADMIN, "/campaigns")
    listed = await telegram.wait_message(ADMIN, "Latest campaigns")
    assert "✅ 2 · ❌ 1 · ⏳ 0 · 🚫 0" in listed["text"]

    query = telegram.press(ADMIN, card, telegram.find_button(card, "Full report"), strict=True)
    await telegram.wait_answer(query)
    full = await telegram.wait_for(
        lambda: next(
            (
                m
                for m in telegram.chat(GROUP)
                if "all-recipients" in m.get("document", {}).get("file_name", "")
            ),
            None,
        )
    )
    assert len(read_report(full["document"]["content"]).rows) == 3

    program.app.store.db.conn.set_trace_callback(None)
    loop_thread = threading.get_ident()  # the test shares the program's loop
    assert written_in
    assert loop_thread not in written_in
    scans = [
        sql
        for sql in on_loop
        if any(s in sql for s in (FIGURES_SCAN, REPORT_SCAN, FULL_REPORT_SCAN))
    ]
    assert scans == []
    # The program's connection did answer meanwhile: the trace was live.
    assert any("status_cards" in sql or "reports_owed" in sql for sql in on_loop)
