"""Child processes that end when the process that started them ends."""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal

PR_SET_PDEATHSIG = 1  # prctl(2)


def end_with_parent() -> None:
    """Have the kernel kill this process when the process that started it ends (Linux), however it
    ends (SIGKILL included), so that no worker of a build or query process of a server is left behind."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: a query process still ends with its pipe
        return
    if os.getppid() == 1:  # the parent ended before the request took hold
        os._exit(0)
