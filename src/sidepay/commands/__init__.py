"""Command groups of the ``sidepay`` CLI; each module is thin (parse, call, print)."""
