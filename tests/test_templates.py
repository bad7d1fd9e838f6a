"""/templates: save a draft under a name, start a new message from it, delete it (author or admin)."""

from __future__ import annotations

from storage.campaigns import Draft
from storage.store import Store
from tests.compose_user import Composer, make_operator
from tests.conftest import ADMIN, OPERATOR


def test_a_template_keeps_the_message_but_not_its_recipients(tmp_path):
    store = Store.open(tmp_path / "x.db")
    draft = Draft(
        type="sms",
        sender="Shop",
        text="Hi {name}",
        ttl=30,
        columns=["name"],
        sent_date="2026-01-01 10:00",
    )
    template_id = store.templates.save("Promo", 7, draft)
    template = store.templates.get(template_id)
    assert template.draft == Draft(type="sms", sender="Shop", text="Hi {name}", ttl=30)
    assert store.templates.named("PROMO").id == template_id
    assert [item.name for item in store.templates.all()] == ["Promo"]
    assert store.templates.delete(template_id, deleted_by=7)
    assert store.templates.get(template_id) is None
    assert not store.templates.delete(template_id, deleted_by=7)
    assert [entry["action"] for entry in store.audit.recent()] == [
        "template_deleted",
        "template_saved",
    ]


async def test_a_saved_template_starts_a_new_message_and_only_its_author_or_an_admin_deletes_it(
    start_bot, telegram
):
    await start_bot(PULSE_SENDERS="Shop", PULSE_TOKEN="")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start("/send sms 79001234567 Weekend sale", expect="Preview")
    assert "SANDBOX" in composer.text
    await composer.press("Save as template", expect="Send a name for the template")
    await composer.say("Promo <b>", expect="Saved as template «Promo <b>»")

    telegram.send_text(OPERATOR, "/templates")
    listing = await telegram.wait_message(OPERATOR, contains="Templates")
    assert f"«Promo <b>» - SMS, by User ({OPERATOR}): Weekend sale" in listing["text"]
    assert telegram.buttons(listing)[0][0] == "Promo <b>"
    reused = Composer(telegram)
    reused.card_id = listing["message_id"]
    newest = telegram.last(OPERATOR)["message_id"]
    telegram.press(OPERATOR, listing, telegram.find_button(listing, "Promo"))
    card = await telegram.wait_message(OPERATOR, contains="phone numbers", after=newest)
    assert "Type: SMS\nSender: Shop" in card["text"]
    reused.card_id = card["message_id"]
    await reused.say("89001234568", expect="Preview")
    assert "Weekend sale" in reused.text
    assert "Recipients: 1: 79001234568" in reused.text

    telegram.send_text(ADMIN, "/templates")
    admin_listing = await telegram.wait_message(ADMIN, contains="Templates")
    telegram.press(ADMIN, admin_listing, telegram.find_button(admin_listing, "Delete"))
    await telegram.wait_message(ADMIN, contains="Delete template «Promo <b>»?")
    question = telegram.last(ADMIN)
    confirm = telegram.find_button(question, "Yes, delete")
    # An operator who did not write it cannot delete it, even with a forged press: not on the
    # admin's card, nor on their own list, whose Delete button they were never shown.
    await make_operator(telegram, 2003)
    forged = telegram.press(2003, question, confirm)
    assert "no longer active" in (await telegram.wait_answer(forged))["text"]
    telegram.send_text(2003, "/templates")
    own = await telegram.wait_message(2003, contains="Templates")
    assert [label for label, _data in telegram.buttons(own)] == ["Promo <b>"]
    use = telegram.find_button(own, "Promo")
    forged = telegram.press(2003, own, use.replace(":use", ":delete"))
    assert "Only its author or an admin" in (await telegram.wait_answer(forged))["text"]
    assert "Delete template" not in telegram.last(2003)["text"]
    telegram.press(ADMIN, question, confirm)
    await telegram.wait_message(ADMIN, contains="No templates yet")
