"""The record format of the decision log: what a record and a head file hold, and how a
line is read back and checked.

Each record is canonical JSON on one line and carries ``prev``, the previous record's hash
(64 zeros for the first), and ``hash``, the sha256 of its own canonical JSON without
``hash``. The head file (``PATH.head``) holds the number, hash and log size of the last
committed record. Shared by the writer (:mod:`aimo._audit.log`) and the checker
(:mod:`aimo._audit.verify`).

A head file comes in one of two forms. Written by replacing it (``durability="record"``),
it is one line of canonical JSON. Written in place (``"batch"`` and ``"none"``), it is two
slots of :data:`HEAD_SLOT` bytes, each a head with a ``check`` (the sha256 of the rest) and
padded with spaces to a newline: a writer overwrites the slot that does not hold the head,
so a write cut short, by a kill or a power cut, spoils only that slot, and the other still
holds the head before it. The head is the valid slot with the highest record number (and
of two with the same, the one synced later). A head written with ``"batch"`` also names
``synced``: the last record whose bytes, and every byte before them, were on disk when the
head was written (see :func:`durable_point`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aimo._documents.canonical import canonical_json, encode, sha256_hex
from aimo._engine.verdict import PolicyRef

__all__ = [
    "FORMAT",
    "GENESIS",
    "HEAD_MAX_BYTES",
    "HEAD_SLOT",
    "HEAD_SUFFIX",
    "O_BINARY",
    "Tail",
    "durable_point",
    "encode_head",
    "encode_slot",
    "head_path",
    "is_hash",
    "next_record",
    "parse_head",
    "parse_record",
    "policy_set_digest",
    "read_at",
    "read_head",
    "record_hash",
    "scan_tail",
    "valid_head",
    "write_at",
]


#: The ``prev`` of the first record.
GENESIS = "0" * 64
#: The version of the record format, in every record as ``format``.
FORMAT = 1
HEAD_SUFFIX = ".head"
#: More than a head file ever holds (one short line): anything longer is not a head.
HEAD_MAX_BYTES = 4096
#: The size of one slot of a head file written in place. A slot never shares a 512-byte
#: sector with the other, so a disk that tears a sector spoils one slot at most.
HEAD_SLOT = 512
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
    """Up to ``length`` bytes of a regular file from ``offset``: fewer at its end."""
    if hasattr(os, "pread"):
        return os.pread(fd, length, offset)
    os.lseek(fd, offset, os.SEEK_SET)  # Windows; writes are O_APPEND, so moving is safe
    return os.read(fd, length)


def write_at(fd: int, offset: int, data: bytes) -> None:
    """Write all of ``data`` at ``offset`` of a file not opened for appending."""
    view = memoryview(data)
    while view:
        if hasattr(os, "pwrite"):
            written = os.pwrite(fd, view, offset)
        else:  # Windows
            os.lseek(fd, offset, os.SEEK_SET)
            written = os.write(fd, view)
        view = view[written:]
        offset += written


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
    return parse_head(data)[0]


def parse_head(data: bytes) -> tuple[dict[str, Any], int | None]:
    """A head file's content, and the slot that holds it (None for a head of one line);
    ``{}`` when it is damaged."""
    if len(data) > HEAD_MAX_BYTES:
        return {}, None
    if len(data) == 2 * HEAD_SLOT and data[HEAD_SLOT - 1] == data[-1] == 0x0A:
        best: tuple[tuple[int, int], int, dict[str, Any]] | None = None
        for slot in (0, 1):
            head = _parse_slot(data[slot * HEAD_SLOT : (slot + 1) * HEAD_SLOT])
            if head is not None:
                rank = (head["seq"], head["synced"]["seq"] if "synced" in head else -1)
                if best is None or rank > best[0]:
                    best = (rank, slot, head)
        return ({}, None) if best is None else (best[2], best[1])
    head = _loads(data)
    return (head if head is not None else {}), None


def _loads(data: bytes) -> dict[str, Any] | None:
    try:
        head = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None  # damaged: reported as such, never a crash
    return head if isinstance(head, dict) else None


def _parse_slot(raw: bytes) -> dict[str, Any] | None:
    head = _loads(raw)
    if head is None:
        return None
    check = head.pop("check", None)
    if check != sha256_hex(canonical_json(head)) or not valid_head(head):
        return None  # a write cut short, or not a head at all
    return head


def encode_head(head: Mapping[str, Any]) -> bytes:
    """A head file of one line."""
    return encode(canonical_json(head) + "\n")


def encode_slot(head: Mapping[str, Any]) -> bytes:
    """One slot of a head file written in place: the head, its check, spaces, a newline.

    The canonical JSON of ``head`` (its format, seq, hash, size, and synced when it names
    one), written out directly: this is on the path of every append.
    """
    text = (
        f'"format":{int(head["format"])},"hash":"{head["hash"]}","seq":{int(head["seq"])},'
        f'"size":{int(head["size"])}'
    )
    synced = head.get("synced")
    if synced is not None:
        text += (
            f',"synced":{{"hash":"{synced["hash"]}","seq":{int(synced["seq"])},'
            f'"size":{int(synced["size"])}}}'
        )
    check = hashlib.sha256(("{" + text + "}").encode("ascii")).hexdigest()
    line = f'{{"check":"{check}",{text}}}'.encode("ascii")
    if len(line) >= HEAD_SLOT:
        raise ValueError("a head does not fit in its slot")  # only with absurd numbers
    return line + b" " * (HEAD_SLOT - 1 - len(line)) + b"\n"


def valid_head(head: Mapping[str, Any]) -> bool:
    if not _valid_point(head):
        return False
    synced = head.get("synced")
    if synced is None:
        return "synced" not in head
    # The durable point is a record at or before the head's, and no further into the log.
    return (
        isinstance(synced, Mapping)
        and _valid_point(synced)
        and synced["seq"] <= head["seq"]
        and synced["size"] <= head["size"]
    )


def _valid_point(point: Mapping[str, Any]) -> bool:
    seq, size, last = point.get("seq"), point.get("size"), point.get("hash")
    return (
        isinstance(seq, int)
        and not isinstance(seq, bool)
        and seq >= 0
        and isinstance(size, int)
        and not isinstance(size, bool)
        and size >= 0
        and isinstance(last, str)
        and is_hash(last)
    )


def durable_point(head: Mapping[str, Any]) -> Mapping[str, Any]:
    """The last record known to be on disk, with everything before it, for a valid head.

    A head written with ``"batch"`` names it as ``synced``: records past it may not have
    reached the disk, so a power cut can leave the log ending anywhere between it and the
    head, or the head file older than the log. Any other head is its own durable point: a
    ``"record"`` writer synced the log before replacing it, and a ``"none"`` writer makes no
    promise that a check could take into account.
    """
    synced = head.get("synced")
    return synced if isinstance(synced, Mapping) else head


_HASH = re.compile(r"[0-9a-f]{64}")


def is_hash(value: Any) -> bool:
    return isinstance(value, str) and _HASH.fullmatch(value) is not None


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


@dataclass(frozen=True, slots=True)
class Tail:
    """What follows a point in the log: whole records that chain on from it, then perhaps
    one unfinished line at the very end, or something else (``broken``)."""

    records: int
    seq: int  # the last whole record that chains on (the point's own, when there is none)
    hash: str
    end: int  # where that record ends in the log
    partial: bool  # an unfinished line at the end, after them
    broken: bool  # anything else after them: not what an interrupted writer leaves


def scan_tail(fd: int, start: int, size: int, point: Mapping[str, Any]) -> Tail:
    """Read the log from ``start``, where the record ``point`` (its seq and hash) ends, up to
    ``size``: how many records chain on from it, and what follows them."""
    records, seq, last, end = 0, int(point["seq"]), str(point["hash"]), start
    pending = bytearray()
    offset = searched = start
    while offset < size:
        chunk = read_at(fd, offset, min(1 << 16, size - offset))
        if not chunk:
            return Tail(records, seq, last, end, False, True)  # shorter than fstat said
        offset += len(chunk)
        pending += chunk
        while (newline := pending.find(b"\n", max(0, searched - end))) != -1:
            record = next_record(bytes(pending[:newline]), {"seq": seq, "hash": last})
            if record is None:
                return Tail(records, seq, last, end, False, True)
            records, seq, last = records + 1, int(record["seq"]), str(record["hash"])
            end += newline + 1
            del pending[: newline + 1]
        searched = offset
    return Tail(records, seq, last, end, bool(pending), False)


def next_record(raw: bytes, head: Mapping[str, Any]) -> dict[str, Any] | None:
    """The record on a line, when it is intact and the one that follows the head's."""
    record, problem = parse_record(raw)
    if record is None or problem is not None:
        return None
    if record["seq"] != head["seq"] + 1 or record["prev"] != head["hash"]:
        return None
    return record
