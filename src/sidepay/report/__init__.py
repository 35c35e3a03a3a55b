"""sidepay.report."""
