"""sidepay.sim."""
