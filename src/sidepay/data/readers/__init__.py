"""sidepay.data.readers."""
