"""What an untrusted document may cost: the limits aimo reads files under.

Every limit has a default that fits real operating models with room to spare, and every
one can be raised by the caller (``aimo.Limits(...)``, or the CLI option named after it),
because a large organisation's inventory is not an attack.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

__all__ = ["DEFAULT_LIMITS", "PATH_FACTOR", "Limits"]

MiB = 1024 * 1024

#: How many times ``max_document_bytes`` the paths of a document's values may come to,
#: written out. A value's path repeats every key above it, so a few long keys over many
#: values cost far more than the file's size; real documents stay under twice their size.
PATH_FACTOR = 8


@dataclass(frozen=True, slots=True)
class Limits:
    """The bounds on what reading one document (and its workflow files) may cost.

    :param max_document_bytes: the largest file aimo reads, and the most bytes of text a
        document may hold once its YAML aliases are expanded (default 10 MiB).
    :param max_values: the most values (mappings, lists, scalars) a document may hold once
        its aliases are expanded (default 200,000).
    :param max_depth: the deepest nesting of mappings and lists (default 64).
    :param max_workflow_files: the most files an operating model's ``workflow_files`` may
        name, all patterns together (default 10,000).
    """

    max_document_bytes: int = 10 * MiB
    max_values: int = 200_000
    max_depth: int = 64
    max_workflow_files: int = 10_000

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise TypeError(f"Limits.{field.name} is a whole number of at least 1")

    @staticmethod
    def how_to_raise(name: str) -> str:
        """How a user raises the limit ``name``, for the error that reports hitting it."""
        option = "--" + name.replace("_", "-")
        return f"raise it with aimo.Limits({name}=...) or the option {option}"


DEFAULT_LIMITS = Limits()
