"""Text from documents, made safe to show: nothing in it can move the cursor or the reading
order of what is printed around it.

A document can hold an escape sequence that clears a terminal line, a carriage return
that writes over a verdict, or a right-to-left override that makes ``deny`` read as
``ynde``: enough to print a fake "ALL CLEAR" row (spec 5.1). Every text output passes
document text through :func:`printable`, which writes such characters as visible escapes,
line breaks included: one field of a document stays on one line of output.
"""

from __future__ import annotations

__all__ = ["printable"]


def _escape(code: int) -> str:
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_CONTROL = [
    *range(0x20),  # C0, ESC among them
    0x7F,  # DEL
    *range(0x80, 0xA0),  # C1
    0x061C,  # Arabic letter mark
    0x200E,  # left-to-right mark
    0x200F,  # right-to-left mark
    0x2028,  # line separator
    0x2029,  # paragraph separator
    *range(0x202A, 0x202F),  # embeddings and overrides
    *range(0x2066, 0x206A),  # isolates
]
_TABLE = {code: _escape(code) for code in _CONTROL}


def printable(text: str) -> str:
    """``text`` for one line of output: control characters, line breaks and bidirectional
    controls written as visible escapes (``\\x1b``, ``\\x0a``, ``\\u202e``)."""
    return text.translate(_TABLE)
