"""A test of the message being composed: one message, with the first recipient's values, to the
author's own address, sent through the same path as every campaign (the stop-list and the
author's rights are checked again at submission) and counted in no figures."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, replace

from bot.sending.engine import Sender
from storage.campaigns import Draft
from storage.store import Store


def fingerprint(draft: Draft, list_id: int, address: str) -> str:
    """Equal for the same message to the same address: a second press sends nothing more."""
    content = json.dumps([asdict(draft), list_id, address], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(content.encode()).hexdigest()[:32]


def _last_test_key(author_id: int) -> str:
    return f"last_test:{author_id}"


def sent_before(store: Store, author_id: int, fingerprint: str) -> int | None:
    """The number of the author's last test when it was this message to this address."""
    kept = store.kv.get(_last_test_key(author_id))
    last = json.loads(kept) if kept else {}
    return last.get("campaign") if last.get("fingerprint") == fingerprint else None


def send_test(
    store: Store,
    sender: Sender,
    draft: Draft,
    list_id: int,
    *,
    author_id: int,
    address: str,
    fingerprint: str,
) -> int:
    """Create and launch the one-message test campaign, and remember it as the author's last
    test (`sent_before`); returns its number. Called right after `sent_before` with no await in
    between, so a second tap, handled while the first still draws its card, finds it.

    The author's private chat alone gets its status card. A time set for the platform is
    dropped: a test is for seeing the message now."""
    first = next(store.recipient_lists.items(list_id, limit=1), None)
    fields = first[1] if first is not None else {}
    columns = store.recipient_lists.columns(list_id)
    test_list = store.recipient_lists.save(author_id, [(address, fields)], columns)
    campaign_id = sender.create(
        replace(draft, sent_date=None),
        test_list,
        author_id=author_id,
        author_chat_id=author_id,
        test=True,
    )
    store.kv.set(
        _last_test_key(author_id), json.dumps({"fingerprint": fingerprint, "campaign": campaign_id})
    )
    sender.launch(campaign_id)
    return campaign_id
