"""sidepay.theory."""
