"""How members appear in the bot's texts: one label for a person, role names, the /members list,
the access request and its buttons, and what /allow and /revoke answer; /me's profile and own
addresses, and the composer's "Test to me" (its question for a missing address, its notes)."""

from __future__ import annotations

import html

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.compose.cards import action, button
from bot.members.membership import MembershipError, Refusal
from bot.members.own_addresses import AddressError, AddressRefusal, NoOwnAddress
from bot.members.profile import Profile
from bot.members.requests import AccessRequested
from bot.notices import Card, Notice, Render
from bot.telegram.button_data import RowId
from bot.texts import number, shorten
from storage.members import Member, OwnAddress, Role
from storage.store import Store

NAME_CHARS = 64
LIST_CHARS = 3900  # of the /members reply, within Telegram's 4096


class AccessGrant(CallbackData, prefix="grant"):
    """An admin's answer to an access request: give `user_id` this role."""

    user_id: RowId
    role: Role


def person_label(user_id: int, name: str | None = None, username: str | None = None) -> str:
    """A person as every text shows them, escaped for HTML: name, @username and id, or the bare id."""
    parts = [html.escape(shorten(name, NAME_CHARS))] if name else []
    if username:
        parts.append(f"@{html.escape(username)}")
    if not parts:
        return f"<code>{user_id}</code>"
    return " ".join([*parts, f"(<code>{user_id}</code>)"])


def member_label(store: Store, user_id: int) -> str:
    """A member by the name they were last seen with, or the bare id when none is known."""
    member = store.members.get(user_id)
    return person_label(user_id, member.name if member else None)


def role_name(role: Role) -> str:
    names = {Role.ADMIN: _("admin"), Role.OPERATOR: _("operator"), Role.VIEWER: _("viewer")}
    return names[role]


def members_list(members: list[Member]) -> str:
    """Every member with their role, as many as fit in one message."""
    lines = [_("<b>Members</b>:")]
    length = len(lines[0])
    for member in members:
        line = f"{person_label(member.user_id, member.name)} - {role_name(member.role)}"
        length += len(line) + 1
        if length > LIST_CHARS:
            break  # a large team: the reply stays within Telegram's 4096 characters
        lines.append(line)
    shown = len(lines) - 1
    if shown < len(members):
        lines.append(_("…and {count} more.").format(count=len(members) - shown))
    return "\n".join(lines)


def refusal_text(error: MembershipError) -> str:
    texts = {
        Refusal.LAST_ADMIN: _(
            "The last admin cannot lose the admin role: make someone else admin first."
        ),
        Refusal.NOT_A_MEMBER: _("That user is not a member."),
        Refusal.BAD_USER_ID: _(
            "Give a numeric Telegram user id, e.g. <code>/allow 123456789 operator</code>. "
            "The person can see theirs by writing to the bot."
        ),
        Refusal.BAD_ROLE: _("Unknown role «{role}». Roles: {roles}.").format(
            role=html.escape(error.detail), roles=", ".join(role_name(role) for role in Role)
        ),
    }
    return texts[error.refusal]


def render_access_request(asked: AccessRequested) -> Card:
    """What admins read when a stranger writes to the bot, with the buttons that let them in."""
    person = person_label(asked.user_id, asked.name, asked.username)
    text = _("{person} is not a member and wrote to the bot: «{text}». Let them in?").format(
        person=person, text=html.escape(asked.text)
    )
    builder = InlineKeyboardBuilder()
    for role, label in (
        (Role.OPERATOR, _("Allow as operator")),
        (Role.VIEWER, _("Allow as viewer")),
    ):
        builder.button(text=label, callback_data=AccessGrant(user_id=asked.user_id, role=role))
    return Card(text, builder.as_markup())


def allowed(user_id: int, role: Role, told: bool) -> str:
    """/allow's answer; `told` is False when the person could not be written to first."""
    reply = _("User <code>{user_id}</code> is now {role}.").format(
        user_id=user_id, role=role_name(role)
    )
    if not told:
        reply += "\n" + _(
            "They have not written to the bot yet, so it cannot tell them; "
            "/help shows them their commands once they do."
        )
    return reply


def revoked(user_id: int) -> str:
    return _("User <code>{user_id}</code> no longer has access.").format(user_id=user_id)


def schedules_paused(count: int) -> str:
    return _(
        "Their scheduled sends are paused: {count}. Every admin got a card to take them "
        "over or cancel them."
    ).format(count=count)


def welcome(role: Role) -> str:
    """What a new member is told."""
    return _("You now have access to this bot as {role}. /help lists your commands.").format(
        role=role_name(role)
    )


def already_member(user_id: int, role: Role) -> str:
    return _("User {user_id} is already {role}.").format(user_id=user_id, role=role_name(role))


def let_in(store: Store, role: Role, admin_id: int, told: bool) -> str:
    """Written under an access request once an admin decided it."""
    note = _("✅ Now {role}, let in by {admin}.").format(
        role=role_name(role), admin=member_label(store, admin_id)
    )
    if not told:
        note += " " + _("They could not be told: /help shows their commands.")
    return note


# ---------------------------------------------------------------- /me and tests to oneself

# Each language by its own name, as language menus show them.
LANGUAGE_NAMES = {"ru": "Русский", "en": "English"}
TYPED_CHARS = 64


def render_profile(profile: Profile) -> str:
    member = profile.member
    lines = [_("<b>Your profile</b>")]
    if member.name:
        lines.append(_("Name: {name}").format(name=html.escape(shorten(member.name, NAME_CHARS))))
    lines.append(_("Telegram id: <code>{id}</code>").format(id=member.user_id))
    lines.append(_("Role: {role}").format(role=role_name(member.role)))
    language = LANGUAGE_NAMES.get(profile.language, profile.language)
    if profile.from_telegram:
        lines.append(_("Language: {language} (as your Telegram)").format(language=language))
    else:
        lines.append(_("Language: {language} (the bot's default)").format(language=language))
    not_set = _("not set")
    phone = f"<code>+{member.phone}</code>" if member.phone else not_set
    email = f"<code>{html.escape(member.email)}</code>" if member.email else not_set
    lines.append(_("Phone: {phone}").format(phone=phone))
    lines.append(_("E-mail: {email}").format(email=email))
    campaigns = _("Campaigns in the last 30 days: {count}").format(count=number(profile.campaigns))
    if profile.tests:
        campaigns += " " + ngettext(
            "(and {count} test message)", "(and {count} test messages)", profile.tests
        ).format(count=number(profile.tests))
    lines.append(campaigns)
    lines += ["", usage()]
    return "\n".join(lines)


def usage() -> str:
    return _(
        "«Test to me» on the preview sends one message to your own phone or e-mail "
        "(an HLR number check sends none, so it has no test).\n"
        "<code>/me phone +7 900 123-45-67</code> and <code>/me email name@example.com</code> "
        "keep them; <code>/me phone -</code> or <code>/me email -</code> removes one."
    )


def hlr_has_no_test() -> str:
    return _(
        "An HLR request only asks the network about a number and sends no message, so there "
        "is nothing to test on your own phone."
    )


def address_refusal_text(error: AddressError) -> str:
    typed = html.escape(shorten(error.typed, TYPED_CHARS))
    if error.refusal is AddressRefusal.NO_VALUE:
        if error.kind is OwnAddress.EMAIL:
            return _(
                "Write the address after the command: <code>/me email name@example.com</code>. "
                "<code>/me email -</code> removes the one kept."
            )
        return _(
            "Write the number after the command: <code>/me phone +7 900 123-45-67</code>. "
            "<code>/me phone -</code> removes the one kept."
        )
    texts = {
        AddressRefusal.BAD_PHONE: _(
            "«{typed}» is not a phone number. Write it with the country code, e.g. "
            "<code>+7 900 123-45-67</code>. Nothing was changed."
        ),
        AddressRefusal.NOT_MOBILE: _(
            "«{typed}» is not a mobile number, and test SMS and messenger messages reach only "
            "mobile phones. Nothing was changed."
        ),
        AddressRefusal.BAD_EMAIL: _(
            "«{typed}» is not an e-mail address, e.g. <code>name@example.com</code>. "
            "Nothing was changed."
        ),
        AddressRefusal.UNKNOWN_KIND: _("Unknown: «{typed}». {usage}"),
        AddressRefusal.NOT_A_MEMBER: _("Only members have a profile."),
    }
    return texts[error.refusal].format(typed=typed, usage=usage())


def saved_text(kind: OwnAddress, address: str | None, stopped: bool) -> str:
    if address is None:
        if kind is OwnAddress.PHONE:
            return _("Your phone is removed.")
        return _("Your e-mail is removed.")
    shown = f"+{address}" if kind is OwnAddress.PHONE else address
    text = _("Kept: <code>{address}</code>. «Test to me» on the preview sends there.").format(
        address=html.escape(shown)
    )
    if stopped:
        text += "\n" + stopped_warning()
    return text


def stopped_warning() -> str:
    return _("⚠️ This address is on the stop-list: test messages to it are not sent.")


def no_own_address_text(reason: NoOwnAddress) -> str:
    if reason is NoOwnAddress.NO_MESSAGE:
        return hlr_has_no_test()
    return _(
        "Push and chat-bot messages go to app tokens, not to a phone or e-mail. "
        "Turn on find_token at the recipients step to test on your own phone or e-mail."
    )


def render_test_address_prompt(
    kind: OwnAddress, problem: str = ""
) -> tuple[str, InlineKeyboardMarkup]:
    """The card asking for the member's own address before the test goes."""
    if kind is OwnAddress.PHONE:
        question = _(
            "Where should the test go? Send your mobile number, e.g. "
            "<code>+7 900 123-45-67</code>. It is kept in your profile (/me) for next time."
        )
    else:
        question = _(
            "Where should the test go? Send your e-mail address. "
            "It is kept in your profile (/me) for next time."
        )
    text = f"{problem}\n\n{question}" if problem else question
    markup = InlineKeyboardMarkup(inline_keyboard=[[button(_("« Back"), action("back"))]])
    return text, markup


def test_sent_notice(campaign_id: int, kind: OwnAddress, address: str) -> str:
    shown = f"+{address}" if kind is OwnAddress.PHONE else address
    return _(
        "🎯 Test №{id} sent to <code>{address}</code> with the first recipient's values; "
        "its status card comes to your chat with the bot. Nothing went to the list."
    ).format(id=campaign_id, address=html.escape(shown))


def test_already_sent(campaign_id: int) -> str:
    return _(
        "This exact message already went to you as test №{id}. Change it to test again."
    ).format(id=campaign_id)


RENDERERS: dict[type[Notice], Render] = {AccessRequested: render_access_request}
