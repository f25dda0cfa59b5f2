"""The fault hook the crash tests use.

``PCP_FAULT_POINT=<name>`` makes the process SIGKILL itself when it reaches ``fault_point(<name>)``:
the kill tests use it to stop the pipeline at exact points inside load, dbt build and publish.
"""

from __future__ import annotations

import os
import signal


def fault_point(name: str) -> None:
    """Die here, as a power cut or an OOM kill would, if the crash test asked for this point."""
    if os.environ.get("PCP_FAULT_POINT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
