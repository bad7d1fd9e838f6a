"""/me: a member's profile, and their own phone and e-mail for test messages."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import I18n

from bot.access import VIEWER, for_command
from bot.members import own_addresses
from bot.members.cards import address_refusal_text, render_profile, saved_text
from bot.members.own_addresses import AddressError
from bot.members.profile import read_profile
from storage.members import Member
from storage.store import Store


async def me(
    message: Message, command: CommandObject, store: Store, member: Member, i18n: I18n
) -> None:
    """Show the profile, or keep or remove one's own phone or e-mail."""
    if not (command.args or "").strip():
        telegram_language = message.from_user.language_code if message.from_user else None
        profile = read_profile(store, member, i18n.current_locale, telegram_language)
        await message.answer(render_profile(profile))
        return
    try:
        request = own_addresses.parse_request(command.args or "")
        own_addresses.keep(store, member.user_id, request)
    except AddressError as error:
        await message.answer(address_refusal_text(error))
        return
    stopped = request.address is not None and own_addresses.is_stopped(store, request.address)
    await message.answer(saved_text(request.kind, request.address, stopped))


def build_router() -> Router:
    """A fresh router with this module's handlers, so each Dispatcher gets its own."""
    router = Router(name="me")
    router.message.register(me, Command("me"), flags=for_command(VIEWER))
    return router
