"""Text from documents, made safe to show: nothing in it can move the cursor or the reading
order of what is printed around it.

A document can hold an escape sequence that clears a terminal line, a carriage return
that writes over a verdict, or a right-to-left override that makes ``deny`` read as
``ynde``: enough to print a fake "ALL CLEAR" row (spec 5.1). Every text output passes
document text through :func:`printable`, which writes such characters as visible escapes,
line breaks included: one field of a document stays on one line of output.

JSON output escapes C0 controls itself; :func:`json_safe` escapes the rest of the same
characters, so that a JSON document shown in a terminal cannot be forged either, and a line
of JSON Lines stays one line for readers that also split on U+2028 or NEL.
"""

from __future__ import annotations

import re

__all__ = ["json_safe", "printable"]


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


# Outside JSON strings, JSON text is ASCII: these can only stand inside strings, where a
# \u escape means the same character.
_JSON_UNSAFE = re.compile("[" + "".join(chr(code) for code in _CONTROL if code >= 0x7F) + "]")


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_safe(text: str) -> str:
    """JSON text with every character :func:`printable` escapes written as a ``\\u``
    escape: the same data, and nothing in it can move the cursor or break the line."""
    if text.isascii() and "\x7f" not in text:
        return text
    return _JSON_UNSAFE.sub(_json_escape, text)
