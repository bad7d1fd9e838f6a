"""Message types as people name them: "SMS", "ВКонтакте", "Каскад" on buttons and cards, and the
words they type for them ("смс", "вайбер", "почта"). The platform's codes (`sms`, `vk`, `bulk`)
stay in storage and requests only."""

from __future__ import annotations

import html

# Brand names read the same in both languages.
_BRANDS = {
    "sms": "SMS",
    "viber": "Viber",
    "whatsapp": "WhatsApp",
    "telegram": "Telegram",
    "email": "E-mail",
    "push": "Push",
    "mms": "MMS",
}


def _translated_names() -> dict[str, str]:
    """The names that differ by language, in the reader's."""
    # Imported here: a list is read in a process of its own (bot/compose/list_process.py), and
    # importing aiogram there would cost seconds before the first big list.
    from aiogram.utils.i18n import gettext as _

    return {
        "vk": _("VK"),
        "ok": _("Odnoklassniki"),
        "bot": _("Chatbot"),
        "voice": _("Voice call"),
        "bulk": _("Cascade"),
        "hlr": _("HLR (number check)"),
    }


# What people type for each type besides its code: its names in both languages and common words.
_ALIASES = {
    "sms": ("смс", "эсэмэс", "смска", "sms-сообщение"),
    "viber": ("вайбер", "вибер"),
    "whatsapp": ("ватсап", "вотсап", "ватсапп", "вацап", "whats app", "wa"),
    "telegram": ("телеграм", "телеграмм", "тг", "tg"),
    "vk": ("вк", "вконтакте", "в контакте", "vkontakte", "vk"),
    "ok": ("ок", "одноклассники", "odnoklassniki"),
    "bot": ("бот", "чат-бот", "чатбот", "chatbot", "chat bot", "chat-bot"),
    "email": ("e-mail", "почта", "имейл", "емейл", "емэйл", "электронная почта", "mail"),
    "push": ("пуш", "пуш-уведомление", "push-уведомление", "notification"),
    "mms": ("ммс",),
    "voice": ("голосовое", "голосовой звонок", "голос", "звонок", "call", "voice call"),
    "bulk": ("каскад", "каскадная рассылка", "cascade", "сценарий"),
    "hlr": ("hlr-запрос", "hlr (проверка номера)", "проверка номера", "hlr (number check)"),
}


def type_name(code: str) -> str:
    """The name of a type in the reader's language ("ВКонтакте"), HTML-escaped; an unknown code
    is shown as it is."""
    key = code.strip().lower()
    name = _BRANDS.get(key) or _translated_names().get(key) or code
    return html.escape(name)


def _key(text: str) -> str:
    return " ".join(text.strip().lower().replace("ё", "е").split())


def parse_type(text: str, types: list[str]) -> str | None:
    """The configured type a person typed by its code, its name or a common word for it."""
    wanted = _key(text)
    if not wanted:
        return None
    for code in types:
        words = {code, *map(_key, _ALIASES.get(code, ()))}
        if wanted in words:
            return code
    return None
