"""sidepay.analysis."""
