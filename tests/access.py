"""Who may use a route, as the route × role matrix spells it (``tests/test_access_matrix.py``)."""
from __future__ import annotations

PUBLIC = "public"
LOGIN = "login"
ADMIN = frozenset({"admin"})
NOBODY: frozenset[str] = frozenset()
