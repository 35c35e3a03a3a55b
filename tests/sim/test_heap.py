"""sidepay.heap: freed arrays are reused, not faulted in afresh (counted, not timed)."""

from __future__ import annotations

import subprocess
import sys

import pytest

_CHURN = """
import resource, sys
import numpy as np
if sys.argv[1] == "retained":
    from sidepay.heap import retain_freed_memory
    assert retain_freed_memory()
a = np.ones(8 << 20)  # 64 MiB: above glibc's largest dynamic mmap threshold (32 MiB)
del a
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(40):
    a = np.ones(8 << 20)
    del a
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(mode: str) -> int:
    out = subprocess.run(
        [sys.executable, "-c", _CHURN, mode], capture_output=True, text=True, check=True
    )
    return int(out.stdout.split()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_retained_memory_is_reused_without_page_faults():
    """40 fresh 64 MiB arrays: thousands of page faults when returned to the kernel
    (glibc's default), next to none when retained. Fails if retain_freed_memory stopped
    taking effect."""
    returned, retained = _faults("returned"), _faults("retained")
    assert returned > 5_000  # (transparent huge pages make fewer, larger faults)
    assert retained < returned / 20
