"""What the preview says about putting a Cyrillic SMS text in Latin letters."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.compose.costs import Estimate
from bot.texts import money, number


def transliteration_line(estimate: Estimate, latin: Estimate, currency: str) -> str:
    """💡 Transliterate: 2 → 1 part per recipient, saves 980 SMS (≈ 2,450.00 ₽)"""
    if estimate.fewest == estimate.most and latin.fewest == latin.most:
        change = ngettext(
            "{before} → {after} part per recipient",
            "{before} → {after} parts per recipient",
            latin.most,
        ).format(before=number(estimate.most), after=number(latin.most))
    else:  # placeholder values make the recipients' texts differ: the totals say it
        change = ngettext(
            "{before} → {after} SMS part in all", "{before} → {after} SMS parts in all", latin.parts
        ).format(before=number(estimate.parts), after=number(latin.parts))
    saved = max(0, estimate.parts - latin.parts)
    saves = ngettext("saves {count} SMS", "saves {count} SMS", saved).format(count=number(saved))
    line = _("💡 Transliterate: {change}, {saves}").format(change=change, saves=saves)
    if estimate.total is not None and latin.total is not None:
        line += f" (≈ {money(estimate.total - latin.total, currency)})"
    return line


def transliterated_line() -> str:
    return _(
        "🔤 The text is in Latin letters (Wikipedia transliteration); each recipient's "
        "placeholder values are transliterated the same way when sent."
    )


def transliterated_notice() -> str:
    return _(
        "✏️ Transliterated: check the text below before sending. Undo brings back the text "
        "as written."
    )
