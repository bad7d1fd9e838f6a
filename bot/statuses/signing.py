"""Signed callback URLs: the platform gets a URL whose path proves which message it is about.

The path carries our message reference and an HMAC-SHA256 of it (128 bits shown), so a status
for one message cannot be replayed against another, and a guessed URL is refused.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEX = 32  # 128 bits
CALLBACK_PREFIX = "/pulse/cb"


def sign(secret: str, message_ref: int | str) -> str:
    digest = hmac.new(secret.encode(), f"msg:{message_ref}".encode(), hashlib.sha256).hexdigest()
    return digest[:SIGNATURE_HEX]


def verify(secret: str, message_ref: str, signature: str) -> bool:
    """Constant-time check of a signature taken from a request path."""
    expected = sign(secret, message_ref)
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


def callback_url(public_url: str, secret: str, message_ref: int) -> str:
    """The URL handed to the platform; it substitutes {id} and {status} itself."""
    return (
        f"{public_url.rstrip('/')}{CALLBACK_PREFIX}/{message_ref}/{sign(secret, message_ref)}"
        "?id={id}&status={status}"
    )
