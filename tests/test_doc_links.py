"""Every relative link in README.md and docs/ leads somewhere: to a file of the repository,
and, where it names one, to a heading of that page, as GitHub renders it."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])

_FENCE = re.compile(r"^[ \t]*(```+|~~~+).*?^[ \t]*\1[ \t]*$", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"(`+).+?\1", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# An inline link or image: [text](target) or ![alt](target), the target up to a space or ")".
_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_HTML_ID = re.compile(r"""<a\s[^>]*(?:id|name)=["']([^"']+)["']""")


def _prose(text: str) -> str:
    """The page without its code blocks and comments, where a link is only text."""
    return _COMMENT.sub("", _FENCE.sub("", text))


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its text in lower case, without punctuation, with
    hyphens for spaces."""
    text = _CODE_SPAN.sub(lambda match: match.group(0).strip("`"), heading)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link in a heading: its text
    text = re.sub(r"<[^>]+>", "", text).strip().lower()
    kept = "".join(
        char for char in text if char in " -_" or unicodedata.category(char)[0] in {"L", "N", "M"}
    )
    return kept.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    text = _prose(page.read_text(encoding="utf-8"))
    anchors: set[str] = set(_HTML_ID.findall(text))
    seen: dict[str, int] = {}
    for heading in _HEADING.findall(text):
        slug = _slug(heading)
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def _relative_links(page: Path) -> list[str]:
    text = _CODE_SPAN.sub("", _prose(page.read_text(encoding="utf-8")))
    return [
        target
        for target in _LINK.findall(text)
        if not re.match(r"[a-z][a-z0-9+.-]*:", target, re.IGNORECASE)  # http:, mailto:, ...
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(page: Path) -> None:
    broken = []
    for target in _relative_links(page):
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.exists() or not resolved.is_relative_to(ROOT):
            broken.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
            broken.append(f"{target}: no heading with this anchor in {resolved.name}")
    assert not broken, f"{page.relative_to(ROOT)}: broken links:\n  " + "\n  ".join(broken)


def test_the_link_check_sees_links_and_anchors_as_github_does(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text(
        "# The `aimo impact` command\n\n## aimo.Limits\n\n## Exit codes\n\n## Exit codes\n\n"
        "```markdown\n# Not a heading\n```\n",
        encoding="utf-8",
    )
    assert _anchors(tmp_path / "other.md") == {
        "the-aimo-impact-command",
        "aimolimits",
        "exit-codes",
        "exit-codes-1",
    }
    page = tmp_path / "page.md"
    page.write_text(
        "See [it](other.md#exit-codes), ![a chart](images/chart.png) and "
        "[the site](https://example.com).\n\n`[not a link](nowhere.md)`\n\n"
        "```text\n[nor this](nowhere.md)\n```\n<!-- [nor this](nowhere.md) -->\n",
        encoding="utf-8",
    )
    assert _relative_links(page) == ["other.md#exit-codes", "images/chart.png"]
