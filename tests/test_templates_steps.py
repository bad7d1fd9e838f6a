"""/templates' dialog step by step (tests/dialog_client.py): who may delete, templates gone meanwhile."""

from __future__ import annotations

from aiogram_dialog.test_tools.keyboard import InlineButtonTextLocator

from handlers import templates
from storage.campaigns import Draft
from storage.members import Role
from tests.dialog_client import dialog_client

AUTHOR = 2002


def with_template(member, author: int = AUTHOR) -> int:
    return member.store.templates.save("Promo", author, Draft(type="sms", sender="Shop", text="Hi"))


async def test_only_the_author_or_an_admin_is_offered_delete_and_may_delete(tmp_path):
    other = dialog_client(tmp_path, [templates.build_router()], user_id=2003)
    template_id = with_template(other)
    await other.send("/templates")
    assert other.buttons() == ["Promo"]
    refused = await other.press_in_card(f"tpl:{template_id}:delete")
    assert refused == "Only its author or an admin can delete this template."
    assert "Delete template" not in other.text
    assert other.store.templates.get(template_id) is not None


async def test_the_author_deletes_after_being_asked_once_more(tmp_path):
    author = dialog_client(tmp_path, [templates.build_router()], user_id=AUTHOR)
    with_template(author)
    await author.send("/templates")
    assert author.buttons() == ["Promo", "Delete"]
    await author.press("Delete")
    assert author.text == "Delete template «Promo»?"
    await author.press("No")
    assert author.buttons() == ["Promo", "Delete"]
    await author.press("Delete")
    assert await author.press("Yes, delete") == "Deleted."
    assert author.text.startswith("No templates yet.")
    assert author.store.templates.all() == []


async def test_a_template_deleted_meanwhile_is_said_to_be_gone(tmp_path):
    admin = dialog_client(tmp_path, [templates.build_router()], role=Role.ADMIN, user_id=1001)
    template_id = with_template(admin)
    await admin.send("/templates")
    await admin.press("Delete")
    admin.store.templates.delete(template_id, deleted_by=AUTHOR)
    assert await admin.press("Yes, delete") == "This template no longer exists."
    assert admin.text.startswith("No templates yet.")  # the list is drawn again, as it is now


async def test_a_second_tap_on_yes_delete_is_answered_and_draws_nothing_anew(tmp_path):
    author = dialog_client(tmp_path, [templates.build_router()], user_id=AUTHOR)
    with_template(author)
    await author.send("/templates")
    await author.press("Delete")
    question = author.card
    assert await author.press("Yes, delete") == "Deleted."
    drawn = len(author.cards.sent_messages)
    # A quick second tap comes with the question's data while the card shows the list again.
    second = await author.client.click(question, InlineButtonTextLocator("Yes, delete"))
    assert author.bot.answers[second].text == "Nothing changed: the card already shows this."
    assert len(author.cards.sent_messages) == drawn
    assert author.text.startswith("No templates yet.")


async def test_names_and_texts_are_shown_as_written_not_read_as_html(tmp_path):
    author = dialog_client(tmp_path, [templates.build_router()], user_id=AUTHOR)
    author.store.templates.save(
        "<b>", AUTHOR, Draft(type="sms", sender="Shop", text="<script> & co")
    )
    await author.send("/templates")
    assert "«&lt;b&gt;»" in author.text
    assert "&lt;script&gt; &amp; co" in author.text
    assert author.buttons() == ["<b>", "Delete"]  # button labels are plain text
    await author.press("Delete")
    assert author.text == "Delete template «&lt;b&gt;»?"


async def test_forged_template_ids_are_answered_as_gone(tmp_path):
    author = dialog_client(tmp_path, [templates.build_router()], user_id=AUTHOR)
    with_template(author)
    await author.send("/templates")
    for forged in ("99999999999999999999999", "²", "-1", ""):
        for action in ("use", "delete"):
            answer = await author.press_in_card(f"tpl:{forged}:{action}")
            assert answer == "This template no longer exists.", (forged, action)
    assert author.buttons() == ["Promo", "Delete"]
