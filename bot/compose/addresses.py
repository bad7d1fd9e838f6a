"""Single addresses: which kind a message type needs, and normalising a phone number, an\ne-mail address or a push token written any way people write them (or saying why not).\n"""

from __future__ import annotations

import re
from enum import StrEnum

import email_validator
import phonenumbers


class AddressKind(StrEnum):
    """What an address must be for a message type."""

    PHONE = "phone"
    EMAIL = "email"
    PUSH = "push"
    PHONE_OR_EMAIL = "phone_or_email"


_KINDS_BY_TYPE = {
    "email": AddressKind.EMAIL,
    "push": AddressKind.PUSH,
    "bot": AddressKind.PUSH,
    "bulk": AddressKind.PHONE_OR_EMAIL,
}


# Types delivered to a mobile phone: a landline or an 8-800 number never gets them.
MOBILE_TYPES = frozenset({"sms", "viber", "whatsapp", "mms"})


_NOT_MOBILE_TYPES = frozenset(
    {
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.TOLL_FREE,
        phonenumbers.PhoneNumberType.PREMIUM_RATE,
        phonenumbers.PhoneNumberType.SHARED_COST,
        phonenumbers.PhoneNumberType.UAN,
        phonenumbers.PhoneNumberType.VOICEMAIL,
        phonenumbers.PhoneNumberType.PAGER,
    }
)


# Types delivered to special tokens, which the platform can look up by phone or e-mail.
TOKEN_TYPES = frozenset({"push", "bot"})


def needs_mobile(message_type: str) -> bool:
    """Whether the type's messages reach only mobile phones."""
    return message_type.strip().lower() in MOBILE_TYPES


def is_mobile(address: str) -> bool:
    """Whether a normalised phone may be a mobile one (types phonenumbers cannot tell pass)."""
    russian = len(address) == _RU_NATIONAL_DIGITS + 1 and address[0] == "7"
    if russian and _RU_MOBILE.fullmatch(address[1:]):
        return True  # the common case, without phonenumbers' ~30 µs
    try:
        number = phonenumbers.parse("+" + address, None)
    except phonenumbers.NumberParseException:
        return True
    return phonenumbers.number_type(number) not in _NOT_MOBILE_TYPES


def address_kind(message_type: str, find_token: bool = False) -> AddressKind:
    """Return the address kind a platform message type sends to; unknown types take phones.

    With `find_token` the platform looks the tokens of push and bot messages up by the
    recipient's phone or e-mail, so those are what the list holds.
    """
    wanted = message_type.strip().lower()
    if find_token and wanted in TOKEN_TYPES:
        return AddressKind.PHONE_OR_EMAIL
    return _KINDS_BY_TYPE.get(wanted, AddressKind.PHONE)


class InvalidReason(StrEnum):
    """Why one entry was not accepted (codes; the UI translates them)."""

    NOT_A_PHONE = "not_a_phone"
    NOT_AN_EMAIL = "not_an_email"
    NOT_A_PHONE_OR_EMAIL = "not_a_phone_or_email"
    NOT_A_TOKEN = "not_a_token"  # noqa: S105 (a reason code, not a secret)
    # A table row with something in other columns but nothing in the address column.
    EMPTY_TOKEN = "empty_token"  # noqa: S105
    # A landline or a service number (8-800, premium) where the channel needs a mobile phone.
    NOT_MOBILE = "not_mobile"
    # The row's time zone cell names no IANA zone (`Europe/Moscow`): its local time is unknown.
    NOT_A_TIME_ZONE = "not_a_time_zone"


_PHONE_CHARS = re.compile(r"[0-9+()\-.\s]+")


_NOT_DIGITS = re.compile(r"[^0-9]+")


# E.164 allows 15 digits; the shortest numbers in use (with country code) have 7.
MIN_INTERNATIONAL_DIGITS = 7


MAX_PHONE_DIGITS = 15


_RU_NATIONAL_DIGITS = 10


_RU_MOBILE = re.compile(
    phonenumbers.PhoneMetadata.metadata_for_region("RU").mobile.national_number_pattern
)


# A subset of what email_validator accepts, checked without it because it costs ~25 µs a call;
# anything outside the subset goes through email_validator.
_PLAIN_EMAIL = re.compile(
    r"(?P<local>[A-Za-z0-9_+\-]+(?:\.[A-Za-z0-9_+\-]+)*)"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})"
)


_MAX_LOCAL_PART = 64


_MAX_DOMAIN = 253


_MAX_EMAIL = 254


_MAX_TOKEN = 4096


RAW_SHOWN = 100


def normalise_address(raw: str, kind: AddressKind, region: str = "RU") -> str | None:
    """Return the platform form of one address of the given kind, or None if it is not valid."""
    raw = raw.strip()
    if kind is AddressKind.PHONE_OR_EMAIL:
        kind = AddressKind.EMAIL if "@" in raw else AddressKind.PHONE
    if kind is AddressKind.PHONE:
        return normalise_phone(raw, region)
    if kind is AddressKind.EMAIL:
        return normalise_email(raw)
    return normalise_token(raw)


def normalise_phone(raw: str, region: str) -> str | None:
    """International digits without "+", or None; letters and other text are never a phone."""
    if not _PHONE_CHARS.fullmatch(raw):
        return None
    digits = _NOT_DIGITS.sub("", raw)
    plus = raw.count("+")
    if plus > 1 or (plus and not raw.lstrip("( ").startswith("+")):
        return None
    international = bool(plus)
    if not international and digits.startswith("00"):
        digits, international = digits[2:], True
    if not MIN_INTERNATIONAL_DIGITS <= len(digits) <= MAX_PHONE_DIGITS:
        return None
    if not international and region == "RU" and len(digits) < _RU_NATIONAL_DIGITS:
        return None  # spares phonenumbers' ~30 µs on short numbers, which RU never has
    fast = _russian_mobile(digits, international, region)
    if fast:
        return fast
    candidates = ["+" + digits] if international else [digits]
    if not international and len(digits) > _RU_NATIONAL_DIGITS and raw.isdigit():
        # The platform's own format (and our exports): international digits without "+". Only a
        # bare digit string qualifies: "12.03.2026 100" must not become a US number.
        candidates.append("+" + digits)
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)[1:]
    return None


def _russian_mobile(digits: str, international: bool, region: str) -> str | None:
    """Recognise the common Russian mobile forms without phonenumbers, which is ~30x slower."""
    if len(digits) == _RU_NATIONAL_DIGITS + 1 and (
        digits[0] == "7" or (digits[0] == "8" and not international and region == "RU")
    ):
        national = digits[1:]
    elif len(digits) == _RU_NATIONAL_DIGITS and not international and region == "RU":
        national = digits
    else:
        return None
    return "7" + national if _RU_MOBILE.fullmatch(national) else None


def normalise_email(raw: str) -> str | None:
    """The address with its domain lower-cased (and IDNA-decoded), or None."""
    raw = raw.strip("<>\"' ")
    if raw[:7].lower() == "mailto:":
        raw = raw[7:]
    if len(raw) > _MAX_EMAIL:
        return None
    plain = _PLAIN_EMAIL.fullmatch(raw)
    if plain:
        local, domain = plain["local"], plain["domain"].lower()
        if (
            len(local) <= _MAX_LOCAL_PART
            and len(domain) <= _MAX_DOMAIN
            and "--" not in domain
            and not _special_use(domain)
        ):
            return f"{local}@{domain}"
    try:
        return email_validator.validate_email(raw, check_deliverability=False).normalized
    except email_validator.EmailNotValidError:
        return None


def _special_use(domain: str) -> bool:
    return any(
        domain == reserved or domain.endswith("." + reserved)
        for reserved in email_validator.SPECIAL_USE_DOMAIN_NAMES
    )


def normalise_token(raw: str) -> str | None:
    """A push token is used as given; it only has to be one printable word."""
    if not raw or len(raw) > _MAX_TOKEN or not raw.isprintable() or any(c.isspace() for c in raw):
        return None
    return raw


def looks_like_contact(token: str, region: str) -> bool:
    """Whether a token is really a phone number or an e-mail address."""
    kind = AddressKind.EMAIL if "@" in token else AddressKind.PHONE
    return normalise_address(token, kind, region) is not None


def dedupe_key(address: str) -> str:
    """Addresses equal under this key are the same recipient (e-mails ignore case)."""
    return address.lower() if "@" in address else address


def invalid_reason(raw: str, kind: AddressKind) -> InvalidReason:
    if kind is AddressKind.PHONE:
        return InvalidReason.NOT_A_PHONE
    if kind is AddressKind.PUSH:
        return InvalidReason.NOT_A_TOKEN
    if kind is AddressKind.EMAIL or "@" in raw:
        return InvalidReason.NOT_AN_EMAIL
    return InvalidReason.NOT_A_PHONE_OR_EMAIL
