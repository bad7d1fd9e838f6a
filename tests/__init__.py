"""The suite keeps Python's compiled modules between runs even where PYTHONDONTWRITEBYTECODE is set.

Each test worker (eight of them) and each `python -m bot` a test starts would otherwise compile
the program and have pytest rewrite every test module again: about 2.4 s of CPU per worker on
the two-core machine. The caches are `__pycache__` folders, which git ignores.
"""

import sys

sys.dont_write_bytecode = False
