"""Canonical JSON and its SHA-256: one text, and one digest, for one value, whatever its key
order.

Canonical: keys sorted, no spaces, UTF-8 kept as written (a lone surrogate from a JSON
escape included, and hashed the same way every time). Verdict digests, batch digests, run
digests and the decision log's chain are all this function of their data.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

__all__ = ["canonical_json", "digest", "encode", "sha256_hex"]


def canonical_json(
    data: Any, *, default: Callable[[Any], Any] | None = None, allow_nan: bool = False
) -> str:
    """``data`` as canonical JSON text (strict, unless told otherwise: no NaN or infinity).

    :param default: what to write for a value JSON cannot hold (as :func:`json.dumps`);
        without it, such a value raises ``TypeError``.
    :param allow_nan: write NaN and infinities as JavaScript does, for data that is not a
        document (what a batch received, say).
    """
    return json.dumps(
        data,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=allow_nan,
        default=default,
    )


def encode(text: str) -> bytes:
    """``text`` as the UTF-8 bytes that are written and hashed."""
    return text.encode("utf-8", "surrogatepass")


def sha256_hex(text: str) -> str:
    """The SHA-256 (hex) of ``text``'s UTF-8 bytes."""
    return hashlib.sha256(encode(text)).hexdigest()


def digest(data: Any) -> str:
    """The SHA-256 (hex) of ``data``'s canonical JSON."""
    return sha256_hex(canonical_json(data))
