"""Every command the bot knows, the least role it needs, and its one-line description.

/help and the Telegram command menus are both built from this list.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.utils.i18n import lazy_gettext as __

from storage.members import Role


@dataclass(frozen=True)
class Command:
    name: str
    role: Role
    description: object  # a lazy translation, rendered in the reader's language


COMMANDS: tuple[Command, ...] = (
    Command("start", Role.VIEWER, __("what this bot does")),
    Command("help", Role.VIEWER, __("the commands you can use")),
    Command("new", Role.OPERATOR, __("compose a message step by step")),
    Command("send", Role.OPERATOR, __("quick send: /send type recipients, text on the next lines")),
    Command("templates", Role.OPERATOR, __("saved templates")),
    Command("scheduled", Role.OPERATOR, __("sends waiting for their time")),
    Command("status", Role.VIEWER, __("history of a message or campaign: /status id")),
    Command("campaigns", Role.VIEWER, __("recent campaigns and their figures")),
    Command("stoplist", Role.OPERATOR, __("addresses that never receive messages")),
    Command("cancel", Role.VIEWER, __("leave the current step")),
    Command("whoami", Role.VIEWER, __("your id and role, and this chat's id")),
    Command("me", Role.VIEWER, __("your profile; /me phone or /me email keeps your own for tests")),
    Command("members", Role.ADMIN, __("who may use the bot")),
    Command("allow", Role.ADMIN, __("give a role: /allow user_id [admin|operator|viewer]")),
    Command("revoke", Role.ADMIN, __("take access away: /revoke user_id")),
)


def commands_for(role: Role) -> list[Command]:
    return [command for command in COMMANDS if role.allows(command.role)]
