"""`python -m bot`: read the settings, then run until SIGTERM; `python -m bot demo` tries it locally."""

from __future__ import annotations

import asyncio
import sys

from bot.config import ConfigError, load_settings


def main() -> int:
    if sys.argv[1:2] == ["demo"]:
        from bot.demo.run import main as demo

        return demo()
    try:
        settings = load_settings()
    except ConfigError as error:
        sys.stderr.write(f"configuration error: {error}\n")
        return 2
    from bot.app import Application
    from bot.logs import setup_logging

    # Mask the configured secrets from the first line on; the generated ones join once known.
    setup_logging(settings.secrets)
    app = Application(settings)
    setup_logging(app.secrets)
    asyncio.run(app.run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
