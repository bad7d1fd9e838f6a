"""The platform message for one recipient: the campaign's fields with the row's placeholders filled."""

from __future__ import annotations

from collections.abc import Mapping

from bot.compose.placeholders import render_html, render_text
from bot.compose.transliteration import transliterate_values
from bot.platform.charsets import encode_text
from bot.platform.results import OutgoingMessage
from bot.statuses.signing import callback_url
from storage.campaigns import Campaign
from storage.messages import MessageRow


def build_message(
    campaign: Campaign,
    row: MessageRow,
    callback_base: str | None,
    callback_secret: str,
    *,
    passed: str | None = None,
) -> OutgoingMessage:
    """The platform message for one recipient: placeholders filled from the row's fields.

    `passed`: the platform's current minute ("YYYY-MM-DD HH:MM"). A `sent_date` not after it
    is left out, so a message submitted after its time (approved late, resumed after a stop)
    goes now instead of carrying a time already gone."""
    sent_date = row.sent_date or campaign.sent_date or None
    if sent_date and passed and sent_date <= passed:
        sent_date = None
    callback = None
    if campaign.callbacks and callback_base:
        callback = callback_url(callback_base, callback_secret, row.id)
    return OutgoingMessage(
        type=campaign.type,
        sender=campaign.sender,
        sent_to=row.sent_to,
        sent_text=render_text(campaign.text, sent_values(campaign, row.fields)),
        html_text=render_html(campaign.html_text, row.fields) if campaign.html_text else None,
        sent_date=sent_date,
        charset=campaign.charset or None,
        ttl=campaign.ttl,
        button=campaign.button or None,
        action=campaign.action or None,
        image=campaign.image or None,
        callback=callback,
        find_token=campaign.find_token,
    )


def sent_values(campaign: Campaign, fields: Mapping[str, str]) -> Mapping[str, str]:
    """The values the text gets: in Latin letters when the text was transliterated."""
    return transliterate_values(fields) if campaign.transliterate else fields


def check_encodable(message: OutgoingMessage) -> None:
    """Raise CharsetError when the rendered text cannot be sent in the campaign's charset."""
    encode_text(message.sent_text, message.charset)
    if message.html_text:
        encode_text(message.html_text, message.charset)
