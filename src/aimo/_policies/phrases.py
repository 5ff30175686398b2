"""Phrase matching that sees through disguises (spec section 5.1).

A banned phrase must not slip through written with a Cyrillic "a", full-width or
mathematical letters, a combining accent, a zero-width space, hyphenated across a line
break or letter-spaced ("g u a r a n t e e d"); a required phrase or disclosure is found
however it is written. Text and phrase are both compared after the same folding, one
character at a time: compatibility decomposition (NFKD), combining marks and invisible
characters removed, then mapped to its Unicode TS #39 confusable skeleton and case folded
(so that "0", "O" and the Cyrillic and Greek capital O all read as "o").

Whole words are judged on the original characters, never on the folded ones: a skeleton can
turn punctuation into a letter ("|" becomes "l"), which must not glue a phrase to its
neighbour. What a finding quotes is the original text that matched.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left, bisect_right
from itertools import accumulate

from aimo._documents.textfold import FOLDING

# Characters per block when mapping a match back to the original text.
_BLOCK = 256

# A hyphen or dash, then a line break (with any spaces around it): a word broken across
# lines, joined again when letters stand on both sides.
_LINE_BREAK = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_HYPHENATED = re.compile(
    rf"[-\u00ad\u2010-\u2013\u2043\u2212\ufe63\uff0d][^\S{_LINE_BREAK}]*[{_LINE_BREAK}]\s*"
)


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


class _Reading:
    """One way of reading a text: what each original character folds to, and the way back.

    ``pieces[i]`` is what original character ``i`` folds to, possibly empty; ``folded`` is
    their concatenation. Offsets back into the original are computed only when a match
    needs them.
    """

    __slots__ = ("_blocks", "_within", "folded", "original", "pieces")

    def __init__(self, original: str, pieces: list[str]) -> None:
        self.original = original
        self.pieces = pieces
        self.folded = "".join(pieces)
        self._blocks: list[int] | None = None
        self._within: dict[int, list[int]] = {}

    def word_before(self, index: int) -> bool:
        """Whether the first character seen before ``index`` is a letter, digit or _."""
        pieces = self.pieces
        index -= 1
        while index >= 0 and not pieces[index]:
            index -= 1
        return index >= 0 and _is_word(self.original[index])

    def word_after(self, index: int) -> bool:
        """Whether the first character seen from ``index`` on is a letter, digit or _."""
        pieces = self.pieces
        while index < len(pieces) and not pieces[index]:
            index += 1
        return index < len(pieces) and _is_word(self.original[index])

    def _block_starts(self) -> list[int]:
        """Where each block of ``_BLOCK`` original characters starts in the folded text.

        Offsets are needed only around a match, so they are summed a block at a time and
        then character by character inside the one or two blocks a match touches: adding
        up every character's length costs more than all the rest of a check.
        """
        blocks = self._blocks
        if blocks is None:
            pieces = self.pieces
            sizes = (len("".join(pieces[i : i + _BLOCK])) for i in range(0, len(pieces), _BLOCK))
            blocks = self._blocks = list(accumulate(sizes, initial=0))
        return blocks

    def _starts_of_block(self, block: int) -> tuple[int, list[int]]:
        """The first character of ``block``, and the folded offset of each of its
        characters and of the character after it."""
        first = block * _BLOCK
        starts = self._within.get(block)
        if starts is None:
            pieces = self.pieces[first : first + _BLOCK]
            initial = self._block_starts()[block]
            starts = self._within[block] = list(accumulate(map(len, pieces), initial=initial))
        return first, starts

    def _char_at(self, offset: int) -> tuple[int, int]:
        """The character whose folding holds folded ``offset``, and where that folding
        starts (``offset`` itself unless it falls inside a character's folding)."""
        block = bisect_right(self._block_starts(), offset) - 1
        first, starts = self._starts_of_block(block)
        index = bisect_right(starts, offset) - 1
        return first + index, starts[index]

    def _char_from(self, offset: int) -> tuple[int, int]:
        """The first character whose folding starts at or after folded ``offset``, and
        where it starts (``len(folded)`` after the last character)."""
        block = max(bisect_left(self._block_starts(), offset) - 1, 0)
        first, starts = self._starts_of_block(block)
        index = bisect_left(starts, offset)
        return first + index, starts[index]

    def _whole_words(self, start: int, end: int) -> tuple[int, int] | None:
        """The original span of the folded span ``[start, end)``, if it is whole words.

        None when the span begins or ends inside one character's folding (an "n" found in
        the "rn" that "m" folds to), or when a letter, digit or underscore stands right
        before or after it in the original, unseen characters skipped.
        """
        first, first_start = self._char_at(start)
        last, last_start = self._char_from(end)
        if first_start != start or last_start != end:
            return None
        pieces = self.pieces
        # Marks and invisible characters right after the last letter belong to the quote.
        while last < len(pieces) and not pieces[last]:
            last += 1
        if self.word_before(first) or self.word_after(last):
            return None
        return first, last

    def search(self, pattern: re.Pattern[str]) -> str | None:
        """The original text of the first whole-word match of ``pattern``, or None."""
        folded = self.folded
        match = pattern.search(folded)
        while match is not None:
            span = self._whole_words(*match.span())
            if span is not None:
                return self.original[span[0] : span[1]]
            match = pattern.search(folded, match.start() + 1)
        return None


class FoldedText:
    """A text as compared with phrases.

    A hyphen at a line break between two letters is read both ways: as a word broken
    across lines ("guaran-" then "teed" is "guaranteed") and as written ("fully-" then
    "guaranteed" still holds "guaranteed"), so that neither reading hides a phrase.
    """

    __slots__ = ("_readings",)

    def __init__(self, text: str) -> None:
        written = _Reading(text, list(map(FOLDING.__getitem__, text)))
        joined: list[str] | None = None
        for match in _HYPHENATED.finditer(text):
            start, end = match.span()
            if written.word_before(start) and written.word_after(end):
                if joined is None:
                    joined = list(written.pieces)
                joined[start:end] = [""] * (end - start)
        self._readings = (written,) if joined is None else (_Reading(text, joined), written)

    @property
    def pieces(self) -> list[str]:
        """What each character folds to, words broken across lines joined."""
        return self._readings[0].pieces

    def find(self, phrase: str) -> str | None:
        """The original text where ``phrase`` occurs as whole words, or None."""
        pattern = phrase_pattern(phrase)
        if pattern is None:
            return None
        for reading in self._readings:
            found = reading.search(pattern)
            if found is not None:
                return found
        return None


def _word_pattern(pieces: list[str]) -> str:
    """One phrase word, as it is written or letter-spaced.

    A hyphen (or a dash that looks like one) inside the word may be missing, because a
    hyphen at a line break is also read as a word broken in two ("risk-" then "free" on
    the next line reads "riskfree").
    """
    last = len(pieces) - 1
    plain = "".join(
        "-?" if piece == "-" and 0 < index < last else re.escape(piece)
        for index, piece in enumerate(pieces)
    )
    if len(pieces) < 2:
        return plain
    # Letter-spaced: one whitespace character between characters. Matched as an alternative
    # rather than by joining single letters in the text, which would glue the spaced word
    # to a one-letter word beside it ("a g u a r a n t e e d").
    spaced = r"\s".join(map(re.escape, pieces))
    return f"(?:{plain}|{spaced})"


@functools.lru_cache(maxsize=512)
def phrase_pattern(phrase: str) -> re.Pattern[str] | None:
    """The folded phrase as a pattern: its words in order, any whitespace between them.

    None for a phrase with nothing to see in it. Whole words are checked on the original
    text after a match, not in the pattern, because folding can turn punctuation into
    letters.
    """
    words: list[list[str]] = [[]]
    for piece in FoldedText(phrase).pieces:
        if piece.isspace():
            words.append([])
        elif piece:
            words[-1].append(piece)
    patterns = [_word_pattern(word) for word in words if word]
    if not patterns:
        return None
    return re.compile(r"\s+".join(patterns))
