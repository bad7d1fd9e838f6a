"""A big list saved off the event loop is stored exactly as the in-transaction save stores it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from storage.store import Store


async def test_a_list_saved_off_the_loop_in_chunks_keeps_every_row_in_order(
    tmp_path: Path,
) -> None:
    store = Store.open(tmp_path / "lists.db")
    try:
        recipients = [
            (f"7900{number:07d}", {"name": f"n{number}"} if number % 2 else {})
            for number in range(12_345)  # more than two chunks
        ]
        left_out = [(line, f"bad {line}", "invalid") for line in range(1, 7_001)]

        off_loop = await store.recipient_lists.save_off_loop(
            7, iter(recipients), ["name"], iter(left_out)
        )
        in_place = store.recipient_lists.save(7, iter(recipients), ["name"], iter(left_out))

        lists = store.recipient_lists
        assert off_loop != in_place
        assert lists.size(off_loop) == lists.size(in_place) == 12_345
        assert lists.columns(off_loop) == ["name"]
        assert list(lists.items(off_loop)) == list(lists.items(in_place)) == recipients
        assert lists.left_out(off_loop) == lists.left_out(in_place) == left_out
    finally:
        store.close()


async def test_lists_saved_at_once_by_several_people_are_all_stored(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "lists.db")
    try:
        lists = [[(f"7901{owner:03d}{n:04d}", {}) for n in range(3_000)] for owner in range(6)]
        ids = await asyncio.gather(
            *(
                store.recipient_lists.save_off_loop(owner, rows, [])
                for owner, rows in enumerate(lists)
            )
        )
        store.kv.set("meanwhile", "the program's own writes go on")
        for list_id, rows in zip(ids, lists, strict=True):
            assert list(store.recipient_lists.items(list_id)) == rows
    finally:
        store.close()
