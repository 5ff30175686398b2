"""Text as aimo compares it: look-alike letters, accents, invisible characters and case
set aside (Unicode TS #39 skeletons, from ICU).

Two uses: the output checks find a banned phrase however it is disguised (``phrases``), and
"is the reviewer the owner?" is answered however an email or name is disguised
(:func:`same_person`). Folding is per character and memoised, so the common case, text
already seen, costs one dictionary look-up a character.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable

__all__ = ["FOLDING", "identity", "same_person"]

# Combining marks and format characters (zero-width spaces, soft hyphens, direction marks)
# change how a word looks, or nothing at all, not what it says.
_UNSEEN = frozenset({"Mn", "Me", "Cf"})

# A hostile text holding every code point cannot grow the folding cache without bound.
_CACHE_LIMIT = 1 << 16


@functools.cache
def _unicode() -> tuple[Callable[[str], str], Callable[[str], bool]]:
    """The TS #39 skeleton and the Default_Ignorable_Code_Point property, from ICU.

    The confusables data comes from ICU (the pyicu-wheels package, which bundles it):
    ICU is the Unicode Consortium's reference implementation of TS #39 and is kept
    current with each Unicode release, while the pure-Python packages' confusables data
    stopped at Unicode 13 or holds only symmetric look-alike groups, from which no
    skeleton can be derived. It is imported on first use, so that ``import aimo`` does not
    pay for it.
    """
    import icu  # type: ignore[import-untyped]

    checker = icu.SpoofChecker()
    ignorable = icu.UProperty.DEFAULT_IGNORABLE_CODE_POINT
    has_property = icu.Char.hasBinaryProperty

    def skeleton(text: str) -> str:
        return str(checker.getSkeleton(0, text))

    def invisible(char: str) -> bool:
        return unicodedata.category(char) in _UNSEEN or bool(has_property(char, ignorable))

    return skeleton, invisible


def _fold_char(char: str) -> str:
    """One character as compared; empty for a character that is not seen."""
    if char.isspace():
        # Any whitespace separates words, and phrase words match across any run of it.
        return char
    skeleton, invisible = _unicode()
    if invisible(char):
        return ""
    seen = "".join(c for c in unicodedata.normalize("NFKD", char) if not invisible(c))
    if not seen:
        return ""
    # The skeleton first: a capital looks like the Latin capital it imitates, whatever its
    # own lower case looks like (a Greek capital eta is an "H", its lower case an "n").
    # Then case folded and the skeleton again, since a lower-case Latin letter can have a
    # skeleton of its own ("m" is "rn").
    shape = skeleton(skeleton(seen).casefold()).casefold()
    # Except that TS #39 gives a capital I the skeleton "l", whose shape it shares; read
    # regardless of case, it is an "i" ("LIVE" is "live").
    lower = skeleton(seen.casefold()).casefold()
    if shape != lower and shape == lower.replace("i", "l"):
        shape = lower
    # A skeleton can bring a mark back (a capital I with a dot above is an "l" and a dot);
    # a decomposition can bring a space (a spacing diaeresis is a space and a diaeresis),
    # which must not split a word.
    return "".join(c for c in shape if not invisible(c) and not c.isspace())


class _Folding(dict[str, str]):
    """Each character as compared, computed once per process.

    Looking characters up in a dict keeps the common case, text already seen, at C speed.
    """

    def __missing__(self, char: str) -> str:
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        piece = self[char] = _fold_char(char)
        return piece


#: Each character as compared: ``FOLDING[char]`` (empty for a character that is not seen).
FOLDING = _Folding()


def identity(text: str) -> str:
    """``text`` as compared to tell people apart: each character folded (look-alikes,
    accents, invisible characters and case set aside), runs of whitespace made one space."""
    return " ".join("".join(map(FOLDING.__getitem__, text)).split())


def same_person(
    name: str | None, email: str | None, other_name: str | None, other_email: str | None
) -> bool:
    """Whether two people are one: their emails match or, when either lacks an email, their
    names do; both compared as :func:`identity`, so that a Cyrillic letter, a zero-width
    space or a different case cannot make one person two."""
    if email and other_email:
        return identity(email) == identity(other_email)
    return bool(name and other_name) and identity(name or "") == identity(other_name or "")
