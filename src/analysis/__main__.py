"""Entry point for ``python -m analysis``."""
import gc
import sys

from .cli import main

status = main()
# Everything is written and closed by now. Freezing the heap spares the interpreter's last
# collections of pandas' and pyarrow's objects at exit (~0.35 s of a 2 s clean); atexit
# handlers and stream flushes still run.
gc.freeze()
sys.exit(status)
