"""A member's own phone and e-mail: checked as recipients are, kept in their profile, and the
one a test message of a given type goes to."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.compose.addresses import AddressKind, address_kind, is_mobile, normalise_address
from bot.compose.rules import needs_text
from storage.members import Member, OwnAddress
from storage.store import Store

# What people type after `/me`, in English and Russian.
KIND_WORDS = {
    "phone": OwnAddress.PHONE,
    "mobile": OwnAddress.PHONE,
    "телефон": OwnAddress.PHONE,
    "номер": OwnAddress.PHONE,
    "email": OwnAddress.EMAIL,
    "e-mail": OwnAddress.EMAIL,
    "mail": OwnAddress.EMAIL,
    "почта": OwnAddress.EMAIL,
    "почту": OwnAddress.EMAIL,
}
# A value that means "forget it" rather than an address.
REMOVE_WORDS = frozenset({"-", "—", "off", "none", "remove", "delete", "удалить", "нет", "убрать"})
MAX_TYPED = 320  # longer than any phone or e-mail address


class AddressRefusal(StrEnum):
    NO_VALUE = "no_value"  # `/me phone` alone
    BAD_PHONE = "bad_phone"
    NOT_MOBILE = "not_mobile"
    BAD_EMAIL = "bad_email"
    UNKNOWN_KIND = "unknown_kind"  # `/me fax 123`
    NOT_A_MEMBER = "not_a_member"


class AddressError(Exception):
    def __init__(
        self, refusal: AddressRefusal, kind: OwnAddress | None = None, typed: str = ""
    ) -> None:
        super().__init__(refusal.value)
        self.refusal, self.kind, self.typed = refusal, kind, typed


@dataclass(frozen=True)
class Request:
    """What `/me <kind> <value>` asks for: an address to keep, or None to forget it."""

    kind: OwnAddress
    address: str | None


def parse_request(args: str) -> Request:
    """`phone +7 900 123-45-67`, `email me@example.com`, `phone -` (forget the phone)."""
    word, _space, value = args.strip().partition(" ")
    kind = KIND_WORDS.get(word.lower().replace("ё", "е"))
    if kind is None:
        raise AddressError(AddressRefusal.UNKNOWN_KIND, typed=word)
    value = value.strip()
    if not value:
        raise AddressError(AddressRefusal.NO_VALUE, kind)
    if value.lower() in REMOVE_WORDS:
        return Request(kind, None)
    return Request(kind, check_address(kind, value))


def check_address(kind: OwnAddress, typed: str) -> str:
    """The address in the platform's form, checked as a recipient's would be.

    A phone must be a mobile one: the messages tested on it (SMS, Viber, WhatsApp) reach
    nothing else."""
    typed = typed.strip()[:MAX_TYPED]
    if kind is OwnAddress.PHONE:
        phone = normalise_address(typed, AddressKind.PHONE)
        if phone is None:
            raise AddressError(AddressRefusal.BAD_PHONE, kind, typed)
        if not is_mobile(phone):
            raise AddressError(AddressRefusal.NOT_MOBILE, kind, typed)
        return phone
    email = normalise_address(typed, AddressKind.EMAIL)
    if email is None:
        raise AddressError(AddressRefusal.BAD_EMAIL, kind, typed)
    return email


def keep(store: Store, user_id: int, request: Request) -> None:
    """Store or forget one of a member's own addresses; the change is audited."""
    with store.db.atomic():
        if not store.members.set_address(user_id, request.kind, request.address):
            raise AddressError(AddressRefusal.NOT_A_MEMBER, request.kind)
        action = "own_address_set" if request.address else "own_address_removed"
        store.audit.record(user_id, action, kind=request.kind.value)


def is_stopped(store: Store, address: str) -> bool:
    """Whether the stop-list would keep messages from this address (checked at sending too)."""
    return store.stoplist.holds(address)


class NoOwnAddress(StrEnum):
    """Why a type's test has no personal address to go to."""

    TOKENS = "tokens"  # push and bot messages go to app tokens
    NO_MESSAGE = "no_message"  # an HLR request checks a number and sends nothing to test


def test_address_kind(
    message_type: str, find_token: bool, member: Member
) -> OwnAddress | NoOwnAddress:
    """Which of the member's own addresses a test of this type goes to.

    A cascade takes either: the phone when there is one, since most scenarios start with a
    messenger or SMS."""
    if not needs_text(message_type):
        return NoOwnAddress.NO_MESSAGE
    kind = address_kind(message_type, find_token)
    if kind is AddressKind.PUSH:
        return NoOwnAddress.TOKENS
    if kind is AddressKind.EMAIL:
        return OwnAddress.EMAIL
    if kind is AddressKind.PHONE_OR_EMAIL and member.phone is None and member.email is not None:
        return OwnAddress.EMAIL
    return OwnAddress.PHONE
