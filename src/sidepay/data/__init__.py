"""sidepay.data."""
