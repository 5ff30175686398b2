"""The record format of the decision log: what a record and a head file hold, and how a
line is read back and checked.

Each record is canonical JSON on one line and carries ``prev``, the previous record's hash
(64 zeros for the first), and ``hash``, the sha256 of its own canonical JSON without
``hash``. The head file (``PATH.head``) holds the number, hash and log size of the last
committed record. Shared by the writer (:mod:`aimo._audit.log`) and the checker
(:mod:`aimo._audit.verify`).
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from aimo._documents.canonical import canonical_json, encode, sha256_hex
from aimo._engine.verdict import PolicyRef

__all__ = [
    "FORMAT",
    "GENESIS",
    "HEAD_MAX_BYTES",
    "HEAD_SUFFIX",
    "O_BINARY",
    "head_path",
    "is_hash",
    "next_record",
    "parse_record",
    "policy_set_digest",
    "read_at",
    "read_head",
    "record_hash",
    "valid_head",
]


#: The ``prev`` of the first record.
GENESIS = "0" * 64
#: The version of the record format, in every record as ``format``.
FORMAT = 1
HEAD_SUFFIX = ".head"
#: More than a head file ever holds (one short line): anything longer is not a head.
HEAD_MAX_BYTES = 4096
O_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation


def record_hash(record: Mapping[str, Any]) -> str:
    """The sha256 (hex) of a record's canonical JSON without its ``hash``."""
    return sha256_hex(canonical_json({k: v for k, v in record.items() if k != "hash"}))


def head_path(path: str | os.PathLike[str]) -> Path:
    """Where the head file of the log at ``path`` lives."""
    return Path(os.fspath(path) + HEAD_SUFFIX)


def policy_set_digest(policy_set: Sequence[PolicyRef]) -> str:
    """sha256 (hex) of the policy set: every id, with its source and version, in order."""
    return sha256_hex(canonical_json([[p.id, p.source, p.version] for p in policy_set]))


def read_at(fd: int, offset: int, length: int) -> bytes:
    # Not os.pread, which Windows lacks; writes are O_APPEND, so moving the offset is safe.
    os.lseek(fd, offset, os.SEEK_SET)
    chunks = []
    while length > 0:
        chunk = os.read(fd, length)
        if not chunk:
            break
        chunks.append(chunk)
        length -= len(chunk)
    return b"".join(chunks)


def read_head(path: Path) -> dict[str, Any] | None:
    """The head file's content; None when there is none, {} when it is damaged."""
    try:
        # Without blocking: a FIFO planted as the head must not hang the writer or the check.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | O_BINARY)
    except FileNotFoundError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return {}  # a folder, a FIFO, a device: damaged, reported as such
        data = read_at(fd, 0, HEAD_MAX_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > HEAD_MAX_BYTES:
        return {}
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return {}  # damaged: reported as such, never a crash
    try:
        head = json.loads(text)
    except (ValueError, RecursionError):
        return {}
    return head if isinstance(head, dict) else {}


def valid_head(head: Mapping[str, Any]) -> bool:
    seq, size, last = head.get("seq"), head.get("size"), head.get("hash")
    return (
        isinstance(seq, int)
        and not isinstance(seq, bool)
        and seq >= 0
        and isinstance(size, int)
        and size >= 0
        and isinstance(last, str)
        and is_hash(last)
    )


def is_hash(value: Any) -> bool:
    return (
        isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)
    )


def parse_record(raw: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """A line as a record whose hash verifies, or None and what is wrong with it."""
    try:
        record = json.loads(raw.decode("utf-8", "surrogatepass"))
    except ValueError:
        return None, "incomplete"
    except RecursionError:
        return None, "not a record"  # nested past the parser's limit: not ours
    if (
        not isinstance(record, dict)
        or not isinstance(record.get("seq"), int)
        or isinstance(record.get("seq"), bool)
        or not is_hash(record.get("prev"))
        or not is_hash(record.get("hash"))
    ):
        return None, "not a record"
    if record_hash(record) != record["hash"]:
        return record, "hash"
    if encode(canonical_json(record)) != raw:
        return record, "form"
    return record, None


def next_record(raw: bytes, head: Mapping[str, Any]) -> dict[str, Any] | None:
    """The record on a line, when it is intact and the one that follows the head's."""
    record, problem = parse_record(raw)
    if record is None or problem is not None:
        return None
    if record["seq"] != head["seq"] + 1 or record["prev"] != head["hash"]:
        return None
    return record
