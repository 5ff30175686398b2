"""Phrase matching sees through disguises, for any text (spec 5.1)."""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata

import icu
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aimo._policies.phrases import FoldedText
from test_run_policies import CYRILLIC, GREEK, full_width, mathematical_bold

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1)
# What may stand between the phrase and its neighbours, and between the phrase's words.
outside = st.sampled_from([" ", "\n", ", ", ". ", " (", ") ", "\t", " - ", "-\n", "\n\n", "'"])
inside = st.sampled_from([" ", "\n", "  ", "\t", " \n  ", "\r\n"])


@st.composite
def texts_with_a_phrase(draw: st.DrawFn) -> tuple[str, str]:
    """A phrase of plain ASCII words, and a text where it stands as whole words."""
    phrase_words = draw(st.lists(words, min_size=1, max_size=3))
    phrase = " ".join(phrase_words)
    written = phrase_words[0]
    for word in phrase_words[1:]:
        written += draw(inside) + word
    before = draw(st.lists(words, max_size=3))
    after = draw(st.lists(words, max_size=3))
    text = written
    for word in reversed(before):
        text = word + draw(outside) + text
    for word in after:
        text = text + draw(outside) + word
    return phrase, text


def occurs_as_whole_words(phrase: str, text: str) -> bool:
    body = r"\s+".join(map(re.escape, phrase.split()))
    return re.search(rf"(?<!\w){body}(?!\w)", text, re.IGNORECASE) is not None


@given(texts_with_a_phrase(), st.data())
def test_a_phrase_is_found_however_its_letters_are_disguised(
    case: tuple[str, str], data: st.DataObject
) -> None:
    phrase, text = case
    assert occurs_as_whole_words(phrase, text)
    disguised = ""
    for char in text:
        if char in CYRILLIC and data.draw(st.booleans()):
            char = char.translate(CYRILLIC)
        disguised += char + data.draw(st.sampled_from(["", "", *ZERO_WIDTH]))
    assert FoldedText(disguised).find(phrase) is not None, disguised


@given(texts_with_a_phrase())
def test_a_phrase_is_quoted_as_written(case: tuple[str, str]) -> None:
    phrase, text = case
    found = FoldedText(text).find(phrase)
    assert found is not None
    assert found in text
    assert occurs_as_whole_words(phrase, found)


def icu_skeleton(text: str) -> str:
    """The TS #39 skeleton of a whole text, as ICU computes it, regardless of case."""
    checker = icu.SpoofChecker()
    decomposed = unicodedata.normalize("NFKD", text)
    seen = "".join(c for c in decomposed if unicodedata.category(c) not in {"Mn", "Me", "Cf"})
    return checker.getSkeleton(0, checker.getSkeleton(0, seen).casefold()).casefold()


@pytest.mark.parametrize(
    "text",
    [
        "guaranteed returns",
        "guaranteed returns".translate(CYRILLIC),
        "GUARANTEED RETURNS".translate(GREEK),
        "GUARANTEED RETURNS".translate(CYRILLIC),
        full_width("Guaranteed Returns"),
        mathematical_bold("Guaranteed Returns"),
        "guarante\u0301ed re\u0308turns",
        "100% safe, l00% SAFE, 1OO% safe",
        "Money back \u2014 \u201crisk\u2010free\u201d",
    ],
)
def test_character_by_character_folding_is_the_skeleton_of_the_whole_text(text: str) -> None:
    assert "".join(FoldedText(text).pieces) == icu_skeleton(text)
    plain = unicodedata.normalize("NFKD", text.translate(str.maketrans(_LATIN)))
    assert icu_skeleton(text) == icu_skeleton(plain)


# Each look-alike back to its Latin letter, to check that ICU agrees they are confusable.
_LATIN = {v: chr(k) for table in (CYRILLIC, GREEK) for k, v in table.items()}


def test_importing_aimo_does_not_load_the_unicode_data() -> None:
    code = "import sys, aimo; print('icu' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
