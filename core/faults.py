"""A test-only pause point, for the fault tests (tests/faults/): never active in production.

`fault_pause("name")` does nothing unless the process was started with FAULT_PAUSE_AT=name (the
fault tests set it on the Celery worker they start). Then the process writes a file named `name`
in FAULT_PAUSE_DIR and sleeps, so the test can SIGKILL the worker at exactly that point of a task
(after the work, before it is recorded, the worst moment) instead of hoping that a kill lands
there. It changes no data and sleeps at most FAULT_PAUSE_SECONDS, then carries on as usual.
"""

import os
import time
from pathlib import Path


def fault_pause(name: str) -> None:
    if os.environ.get("FAULT_PAUSE_AT") != name:
        return
    Path(os.environ["FAULT_PAUSE_DIR"], name).write_text(str(os.getpid()))
    time.sleep(float(os.environ.get("FAULT_PAUSE_SECONDS", "60")))
