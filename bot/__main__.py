"""`python -m bot`: read the settings, then run until SIGTERM; `python -m bot demo` tries it locally."""

from __future__ import annotations

import asyncio
import logging
import sys

from bot.config import ConfigError, load_settings

# How long a thread that wants the GIL waits before asking the holder to give it up. The loop
# gives the GIL away at every SQLite statement and socket call; while a worker thread reads or
# checks a 100,000-row list in Python, each take-back could wait Python's default 5 ms, and a
# batch of statuses (about 1,500 statements) then held the loop for up to 0.47 s. At 0.5 ms the
# same batch beside a busy thread takes 7 ms instead of 72 ms (median; docs/benchmarks.md, L3).
GIL_SWITCH_INTERVAL_S = 0.0005


def main() -> int:
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
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
    from bot.loop_lag import freeze_startup_objects

    # Mask the configured secrets from the first line on; the generated ones join once known.
    setup_logging(settings.secrets)
    app = Application(settings)
    setup_logging(app.secrets)
    # What importing and building the program made lives until it stops: no collection need
    # walk it again (a full one took about 150 ms, holding the loop).
    frozen = freeze_startup_objects()
    logging.getLogger("bot").info(
        "%s objects made at start kept out of garbage collection", f"{frozen:,}"
    )
    asyncio.run(app.run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
