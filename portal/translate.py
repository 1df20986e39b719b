"""The one translator of marked messages: a rule's refusal (``DomainError``) or a returned
``Message`` in the reader's language. Below ``portal.web`` so that the readiness checks, which
web uses, can translate too."""
from __future__ import annotations

from flask_babel import gettext as _

from portal.errors import DomainError, Message


def explain(exc: DomainError | Message) -> str:
    """A refused rule's message in the reader's language (its parameters too, where they are
    marked messages themselves, such as office names)."""
    params = {k: explain(v) if isinstance(v, Message) else _(v) if isinstance(v, str) else v
              for k, v in exc.params.items()}
    return _(exc.message, **params) if params else _(exc.message)
