"""The one exception domain rules raise when they refuse a request.

The message is a Chinese msgid marked with ``N_()`` and formatted with named parameters;
the web layer translates it into the reader's language when shown (``portal.web.explain``),
while ``str()`` gives the Chinese text for logs, the CLI and tests. Imports nothing.
"""
from __future__ import annotations

from typing import Any


class DomainError(ValueError):
    """A request the rules refuse, with a message that explains why."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params

    def __str__(self) -> str:
        return self.message % self.params if self.params else self.message


class Message(str):
    """A marked Chinese message with its parameters, for rules that return (not raise) a
    reason: it is the formatted Chinese text, and ``portal.web.explain`` translates it."""

    message: str
    params: dict[str, Any]

    def __new__(cls, message: str, **params: Any) -> Message:
        text = super().__new__(cls, message % params if params else message)
        text.message = message
        text.params = params
        return text

    @classmethod
    def joined(cls, parts: list[Message], separator: str = "；") -> Message:
        """Several messages as one line; each part is translated on its own when shown."""
        return cls(separator.join(f"%(p{i})s" for i in range(len(parts))), **{f"p{i}": p for i, p in enumerate(parts)})
