"""Characters nobody types and that only hide or spoof text, removed on the way in."""
from __future__ import annotations

# C0 control characters other than tab and newlines: nobody types them, PostgreSQL refuses
# NUL in text, and they hide things in audit summaries and exports.
_C0 = [c for c in range(32) if c not in (9, 10, 13)] + [127]
# Bidirectional controls (embeddings, overrides, isolates, marks): "<U+202E>gpj.exe" shows as
# "exe.jpg", and a title or name can be made to read as something else.
BIDI_CONTROLS = [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]
CONTROLS: dict[int, None] = {c: None for c in _C0 + BIDI_CONTROLS}


def strip_controls(text: str) -> str:
    """``text`` without C0 control characters (tab and newlines kept) or bidi controls."""
    return text.translate(CONTROLS)
