"""Use cases: one unit of work per method, frozen views out; access is checked here."""
