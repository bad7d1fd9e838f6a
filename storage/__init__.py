"""One module per table over one SQLite file; `store.Store` gathers them.

sqlite-utils imports numpy when it is installed (matplotlib, which draws the charts, brings it)
only to name numpy's number types as column types; nothing here stores numpy values. Importing
it costs the program 11 MB from its first second, so sqlite-utils is imported while numpy is
marked absent; a chart drawn later imports numpy as usual.
"""

import sys

if "numpy" not in sys.modules:
    sys.modules["numpy"] = None  # type: ignore[assignment]  # makes `import numpy` fail
    try:
        import sqlite_utils.db  # noqa: F401
    finally:
        del sys.modules["numpy"]
