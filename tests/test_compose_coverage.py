"""Which recipients lack a value is worked out once, when the list is read, and kept with it:
the checks at each step, at Send and at Confirm answer from it without reading the rows again."""

from __future__ import annotations

import json
import random
from pathlib import Path

from bot.compose.coverage import Coverage
from bot.compose.list_checks import check_placeholders
from bot.compose.placeholders import lacking_values
from bot.compose.recipients import Recipient
from bot.compose.rules import Reason
from storage.campaigns import Draft
from storage.store import Store
from tests.compose_user import Composer, make_operator


def random_list(seed: int, size: int = 300) -> tuple[list[Recipient], list[str]]:
    rng = random.Random(seed)
    columns = ["Name", "city", "code"]
    recipients = []
    for n in range(size):
        fields = {
            column: ("" if rng.random() < 0.15 else rng.choice(["Anna", "Тула", "x", "Zoë 😀"]))
            for column in columns
            if rng.random() > 0.05  # a ragged row leaves a column out altogether
        }
        recipients.append(Recipient(f"7900{n:07d}", fields))
    return recipients, columns


def test_the_coverage_says_what_reading_every_row_says():
    for seed in range(40):
        recipients, columns = random_list(seed)
        coverage = Coverage.from_data(
            json.loads(json.dumps(Coverage.of(recipients, columns).to_data()))
        )
        for names in (["Name"], ["name"], ["city", "Name"], ["code", "city", "Name"], ["nope"]):
            assert coverage.lacking(names) == lacking_values(recipients, names), (seed, names)
        assert coverage.size == len(recipients)


def test_a_column_empty_everywhere_is_stored_as_one_run():
    recipients = [Recipient(f"7900{n:07d}", {"name": ""}) for n in range(100_000)]
    data = Coverage.of(recipients, ["name"]).to_data()
    assert data["columns"]["name"]["lacking"] == [(1, 100_000)]
    lacking = Coverage.from_data(data).lacking(["name"])
    assert lacking is not None
    assert lacking.count == 100_000
    assert lacking.examples == [(n, f"7900{n - 1:07d}") for n in range(1, 6)]


def test_the_first_row_with_a_character_a_charset_refuses_is_found():
    recipients = [
        Recipient("79000000001", {"name": "Anna"}),
        Recipient("79000000002", {"name": "Zoë"}),
        Recipient("79000000003", {"name": "Олег"}),
    ]
    coverage = Coverage.of(recipients, ["name"])
    assert coverage.first_use(["Name"], lambda char: not char.isascii()) == 2
    assert coverage.first_use(["name"], lambda char: char in "Олег") == 3
    assert coverage.first_use(["name"], lambda char: False) is None


NAMES = {4: "", 7: "Zoë 😀", 9: ""}


def test_the_checks_read_no_row_once_the_list_is_stored(tmp_path: Path):
    store = Store.open(tmp_path / "lists.db")
    try:
        rows = [
            (f"7900{n:07d}", {"name": NAMES.get(n, "Анна"), "city": "Tula"})
            for n in range(1, 2_001)
        ]
        recipients = [Recipient(address, fields) for address, fields in rows]
        coverage = Coverage.of(recipients, ["name", "city"]).to_data()
        list_id = store.recipient_lists.save(7, rows, ["name", "city"], (), coverage)
        statements: list[str] = []
        store.db.conn.set_trace_callback(statements.append)

        missing = check_placeholders(
            Draft(type="sms", sender="Shop", text="Hi {name}"), store, list_id
        )
        assert missing is not None
        assert missing.reason is Reason.PLACEHOLDER_MISSING
        assert missing.details["count"] == 2
        assert missing.details["examples"] == [(4, "79000000004"), (9, "79000000009")]
        assert missing.details["total"] == 2_000
        assert (
            check_placeholders(Draft(type="sms", sender="Shop", text="Hi {city}"), store, list_id)
            is None
        )

        cyrillic = Draft(type="sms", sender="Shop", text="Hi {name|friend}", charset="CP1251")
        refused = check_placeholders(cyrillic, store, list_id)
        assert refused is not None
        assert refused.reason is Reason.CHARSET_MISMATCH
        assert refused.details["character"] == "ë"
        assert (refused.details["position"], refused.details["address"]) == (7, "79000000007")
        ucs2 = Draft(type="sms", sender="Shop", text="Hi {name|friend}", charset="UCS-2LE")
        beyond = check_placeholders(ucs2, store, list_id)
        assert beyond is not None
        assert beyond.reason is Reason.OUTSIDE_UCS2
        assert beyond.details["characters"] == ["😀"]

        item_reads = [sql for sql in statements if "recipient_list_items" in sql]
        # Only the one row named for each charset is read, by its key.
        assert len(item_reads) == 2
        assert all("AND seq = " in sql for sql in item_reads)
    finally:
        store.close()


def test_a_list_stored_without_coverage_gets_it_on_first_use(tmp_path: Path):
    store = Store.open(tmp_path / "lists.db")
    try:
        rows = [("79000000001", {"name": "Anna"}), ("79000000002", {"name": ""})]
        list_id = store.recipient_lists.save(7, rows, ["name"], ())
        assert store.recipient_lists.coverage(list_id) is None

        problem = check_placeholders(
            Draft(type="sms", sender="Shop", text="Hi {name}"), store, list_id
        )

        assert problem is not None
        assert problem.details["count"] == 1
        assert store.recipient_lists.coverage(list_id) is not None
    finally:
        store.close()


TABLE = "\n".join(
    ["phone;name"] + [f"7900{n:07d};{'' if n % 1000 == 0 else 'Client'}" for n in range(1, 5_001)]
).encode()


async def test_an_uploaded_list_and_the_one_left_after_leaving_out_keep_their_coverage(
    start_bot, telegram, platform
):
    program = await start_bot(PULSE_SENDERS="Shop")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start("/new", expect="")
    await composer.press("SMS", expect="sender")
    await composer.press("Shop")
    await composer.upload("clients.csv", TABLE, expect="text")

    card = await composer.say("Hello, {name}!", expect="no value")

    assert "5 recipients have no value for {name}" in card["text"]
    assert program.app is not None
    lists = program.app.store.recipient_lists
    list_id = max(row[0] for row in program.app.store.db.execute("SELECT id FROM recipient_lists"))
    coverage = lists.coverage(list_id)
    assert coverage is not None
    assert coverage["size"] == 5_000
    assert coverage["columns"]["name"]["lacking"] == [[n, n] for n in range(1000, 5001, 1000)]

    card = await composer.press("Leave out 5 recipients", expect="Preview")

    assert "Recipients: 4,995" in card["text"]
    kept = max(row[0] for row in program.app.store.db.execute("SELECT id FROM recipient_lists"))
    assert kept != list_id
    coverage = lists.coverage(kept)
    assert coverage is not None
    assert coverage["size"] == 4_995
    assert coverage["columns"]["name"]["lacking"] == []
    assert "reading it once" not in program.logs()
