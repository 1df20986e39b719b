"""Marking strings for translation where they must stay plain strings."""


def N_(text: str) -> str:
    """Mark ``text`` for the catalogue without translating it here (gettext_noop).

    Used where the Chinese original is also data, e.g. role names in a roster file;
    translate at display time with ``gettext(text)``.
    """
    return text
