"""sidepay: the trade-off theory of asymmetric alliances, computable and testable.

Examples
--------
>>> import sidepay
>>> sidepay.__version__
'0.1.0'
"""

from __future__ import annotations

from sidepay.errors import DataUnavailableError, InputError, SidepayError

__version__ = "0.1.0"

__all__ = ["DataUnavailableError", "InputError", "SidepayError", "__version__"]
