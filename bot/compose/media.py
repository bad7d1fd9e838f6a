"""Images sent to the bot, kept under DATA_DIR/media and served at PUBLIC_URL/media/<name>.

A name is 256 random bits, so only someone who was given the address can fetch the image; a
request for any other name gets 404 without touching the file system beyond one lookup.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from aiohttp import web

MEDIA_PATH = "/media"
# token_urlsafe(32) gives 43 characters of the URL-safe alphabet.
_NAME = re.compile(r"[A-Za-z0-9_-]{43}\.(jpg|png|gif|webp)")
_CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp"}
_SIGNATURES = (
    (b"\xff\xd8\xff", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"GIF8", "gif"),
)


def image_suffix(content: bytes) -> str:
    """The file suffix for an image's bytes; Telegram photos are JPEG, the default."""
    for signature, suffix in _SIGNATURES:
        if content.startswith(signature):
            return suffix
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "webp"
    return "jpg"


class MediaStore:
    """A folder of images with unguessable names."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def save(self, content: bytes) -> str:
        """Write the image and return its name (blocking: call it in a worker thread)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{secrets.token_urlsafe(32)}.{image_suffix(content)}"
        temporary = self.directory / f".{name}.part"
        temporary.write_bytes(content)
        temporary.replace(self.directory / name)  # readers never see half a file
        return name

    def path(self, name: str) -> Path | None:
        """The file of a stored image, or None for a name that is not one."""
        if not _NAME.fullmatch(name):
            return None
        path = self.directory / name
        return path if path.is_file() else None


def media_url(public_url: str, name: str) -> str:
    """The address the platform fetches the image from."""
    return f"{public_url.rstrip('/')}{MEDIA_PATH}/{name}"


def is_uploaded(url: str, public_url: str) -> bool:
    """Whether an image address is one of the photos this program hosts."""
    return bool(public_url) and url.startswith(media_url(public_url, ""))


MEDIA = web.AppKey("media", MediaStore)


async def serve_media(request: web.Request) -> web.StreamResponse:
    """Serve one stored image; anything else is 404."""
    name = request.match_info["name"]
    path = request.app[MEDIA].path(name)
    if path is None:
        raise web.HTTPNotFound()
    suffix = name.rsplit(".", 1)[-1]
    return web.FileResponse(
        path,
        headers={
            "Content-Type": _CONTENT_TYPES[suffix],
            "Cache-Control": "public, max-age=86400",
        },
    )


def add_media_routes(app: web.Application, media: MediaStore) -> None:
    """Serve the media folder on the web endpoint (before it starts)."""
    app[MEDIA] = media
    app.router.add_get(f"{MEDIA_PATH}/{{name}}", serve_media)
