"""Docs that run: every example in README.md and docs/ is a test (collected by Sybil).

How to write an example, by the language of its fenced block:

``python``
    Run, in page order, in one namespace per page (``__name__`` is ``"__main__"``, as in a
    script). A ``python`` block that prints must be followed directly by an ``output`` block
    holding exactly what it prints.
``output``
    What the ``python`` block just above it prints, compared line by line.
``console``
    A terminal session. Each line starting with ``$ `` is a command, and the lines after it,
    up to the next ``$ ``, are what it prints (standard output and standard error, as a
    terminal shows them). The commands understood are ``aimo ...`` (run as
    ``python -m aimo ...``), ``python ...``, ``pytest ...`` (run as ``python -P -m pytest``,
    so, like the ``pytest`` script, it does not put the current folder on ``sys.path``),
    ``cd FOLDER`` (kept for the page's later ``console`` blocks) and ``echo $?`` (the exit
    code of the command before; an exit code is checked only where it is shown). A command
    may start with ``NAME=value`` environment settings and end with ``> FILE``.
``yaml``
    Checked as the document it is: a workflow or an operating model (``aimo.load``), a
    declarative pack (``aimo.load_pack``). A fragment that is not a whole document, or a
    document that needs files the page does not give, is skipped with a reason. A case file
    (``*.aimo-test.yaml``) is saved with a ``file`` marker and checked by running it.
anything else (``text``, ``sh``, ``toml``, ``json``, ``markdown``)
    Not run: signatures, layouts, excerpts, installation commands. A block in a language not
    listed here is an error, so that nothing meant to run slips through unchecked.

Markers, HTML comments on the line before a block (invisible on the rendered page):

``<!-- file: PATH -->``
    The block is the content of the file PATH, relative to the page's project folder: it
    is written there when the page reaches it (a ``yaml`` document is then checked too), and
    later blocks use it. A ``python`` file is not run; a later block imports or runs it.
``<!-- same-as: PATH -->``
    The block shows the file PATH of this repository, exactly or with lines left out (in
    order): the example it quotes is tested in its own right, and must not drift from it.
``<!-- skip: next "why" -->``
    Sybil's own: the next ``python``, ``console`` or ``yaml`` block is not run, for the
    reason given.

Each page runs in its own temporary project folder, which starts as a copy of the
repository's ``examples/`` and ``policies/`` folders, so that paths such as
``examples/northwind/...`` work as they do from a clone, and nothing a page writes reaches
the repository. Some pages start otherwise (``PAGES`` below): a page that builds a project
of its own starts from an empty folder, the testing guide's project holds the plugin module
of the plugin guide, and the plugin-package page runs with its example package installed,
as ``pip install -e`` leaves it.

Outputs are compared after normalising only what cannot be the same from run to run: the
version of aimo (the docs show ``DOCS_VERSION``), pytest's durations (and the rules around
its summary line, whose length follows them) and trailing spaces. In a shown output, a line
``...`` stands for any number of lines, for excerpts, and ``...`` within a line for any text,
for what differs on every run (a time, or a hash over it).
"""

from __future__ import annotations

import contextlib
import difflib
import importlib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sybil import Document, Example, Region, Sybil
from sybil.parsers.markdown import SkipParser

import aimo
from aimo import _defaults

ROOT = Path(__file__).resolve().parent

#: The version of aimo that the docs show, in place of the version that is running.
DOCS_VERSION = "0.2.0"

# The pages judge aimo's own policies: plugins installed next to it must not change what
# they show (the plugin-package page installs its own example, below).
os.environ["AIMO_DISABLE_PLUGIN_AUTOLOAD"] = "1"

_RUN = {"python", "output", "console", "yaml"}
_SHOWN = {"text", "sh", "toml", "json", "markdown"}
_FENCE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>```+)(?P<info>[^\n`]*)\n"
    r"(?P<body>.*?)^(?P=indent)(?P=fence)[ \t]*$\n?",
    re.MULTILINE | re.DOTALL,
)
_MARKER = re.compile(
    r"^[ \t]*<!--\s*(?P<kind>file|same-as):\s*(?P<path>\S+)\s*-->[ \t]*\n(?:[ \t]*\n)*\Z",
    re.MULTILINE,
)
_SKIP = re.compile(r"<!--\s*skip:\s*next\b")
_DURATION = re.compile(r"\bin \d+(?:\.\d+)?s\b(?: \(\d+:\d\d:\d\d\))?")
#: pytest's summary line, centred between rules whose length follows that of the duration.
_SUMMARY = re.compile(r"^=+ (.* in <duration>) =+$")


# --- a page's project folder ---------------------------------------------------------------


@dataclass
class Page:
    """The temporary project folder a page runs in, and what its blocks leave behind."""

    path: Path
    folder: Path
    env: dict[str, str | None] = field(default_factory=dict)
    python_path: list[Path] = field(default_factory=list)
    cwd: Path | None = None  # where `cd` left the page's terminal
    exit_code: int | None = None
    # A page that installs a plugin sees it in aimo.evaluate's engine, as a new process does.
    own_default_engine: bool = False

    @classmethod
    def of(cls, example: Example) -> Page:
        page = example.namespace.get("__page__")
        if page is None:
            page = cls(Path(example.path), Path(tempfile.mkdtemp(prefix="aimo-docs-")))
            PAGES.get(page.path.relative_to(ROOT).as_posix(), _clone)(page)
            example.namespace["__page__"] = page
            example.namespace["__name__"] = "__main__"
        assert isinstance(page, Page)
        return page

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """The page's folder as the current folder and on ``sys.path``; its environment."""
        saved_env = {name: os.environ.get(name) for name in self.env}
        paths = [str(self.folder), *map(str, self.python_path)]
        sys.path[:0] = paths
        importlib.invalidate_caches()  # the page may have written modules since
        default_engine = _defaults._DEFAULT
        try:
            for name, value in self.env.items():
                _set_env(name, value)
            if self.own_default_engine:
                _defaults._DEFAULT = None
            with contextlib.chdir(self.folder):
                yield
        finally:
            _defaults._DEFAULT = default_engine
            for name, value in saved_env.items():
                _set_env(name, value)
            for entry in paths:
                sys.path.remove(entry)

    def subprocess_env(self) -> dict[str, str]:
        env = dict(os.environ)
        for name, value in self.env.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        if self.python_path:
            env["PYTHONPATH"] = os.pathsep.join(map(str, self.python_path))
        # What a terminal shows: standard output and error in the order they were written,
        # 80 columns wide.
        env.update(PYTHONUNBUFFERED="1", COLUMNS="80")
        for name in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_CURRENT_TEST"):
            env.pop(name, None)
        return env

    def close(self) -> None:
        for name, module in list(sys.modules.items()):
            file = getattr(module, "__file__", None)
            if file and Path(file).is_relative_to(self.folder):
                del sys.modules[name]
        shutil.rmtree(self.folder, ignore_errors=True)


def _set_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def _clone(page: Page) -> None:
    """What a page run from a clone of the repository reads: the examples and the packs."""
    for name in ("examples", "policies"):
        shutil.copytree(
            ROOT / name,
            page.folder / name,
            ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", ".hypothesis"),
        )


def _own_project(page: Page) -> None:
    """A page that builds a project of its own, from an empty folder."""


def _install_acme(page: Page) -> None:
    """The example plugin package, installed as ``pip install -e`` leaves it: importable, and
    registered under the entry-point group ``aimo`` by its distribution's metadata."""
    _clone(page)
    package = page.folder / "examples" / "acme-aimo-policies"
    site = page.folder / ".site-packages"
    info = site / "acme_aimo_policies-1.0.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: acme-aimo-policies\nVersion: 1.0.0\n"
    )
    (info / "entry_points.txt").write_text("[aimo]\nacme = acme_aimo\n")
    page.python_path += [site, package / "src"]
    page.env["AIMO_DISABLE_PLUGIN_AUTOLOAD"] = None
    page.own_default_engine = True


def _with_plugin_module(page: Page) -> None:
    """The project of the testing guide holds the plugin module of the plugin guide."""
    guide = ROOT / "docs" / "how-to" / "write-a-plugin.md"
    for block in _blocks(guide.read_text(encoding="utf-8")):
        if block.marker == ("file", "acme_aimo/__init__.py"):
            _write(page.folder / "acme_aimo" / "__init__.py", block.body)
            return
    raise AssertionError(f"{guide} no longer saves acme_aimo/__init__.py")


#: How a page's folder starts, by the page's path from the repository root; by default, as
#: a clone (`_clone`).
PAGES: dict[str, Callable[[Page], None]] = {
    "docs/how-to/publish-a-plugin-package.md": _install_acme,
    "docs/how-to/test-policies.md": _with_plugin_module,
    "docs/how-to/write-a-declarative-pack.md": _own_project,
}


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# --- comparing what was printed with what a page shows --------------------------------------


def _normalise(text: str) -> list[str]:
    """The lines of ``text``, with what cannot match from run to run made the same."""
    lines = [
        _SUMMARY.sub(r"= \1 =", _DURATION.sub("in <duration>", line)).rstrip()
        for line in text.splitlines()
    ]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _docs_version(text: str) -> str:
    """``text`` as if the running aimo were ``DOCS_VERSION``; padding after it keeps columns."""
    version = aimo.__version__

    def replace(match: re.Match[str]) -> str:
        padding = match.group(1)
        if padding:
            padding = " " * max(1, len(version) + len(padding) - len(DOCS_VERSION))
        return DOCS_VERSION + padding

    return re.sub(re.escape(version) + "( *)", replace, text)


def _line_matches(shown: str, printed: str) -> bool:
    """Whether a printed line is the shown one, where ``...`` in it stands for any text."""
    if "..." not in shown:
        return shown == printed
    pattern = ".*?".join(map(re.escape, shown.split("...")))
    return re.fullmatch(pattern, printed) is not None


def _lines_match(shown: list[str], printed: list[str]) -> bool:
    return len(shown) == len(printed) and all(map(_line_matches, shown, printed))


def _aligned(expected: list[str], actual: list[str]) -> list[str]:
    """``actual``, written as ``expected`` wherever it matches it: a line ``...`` of
    ``expected`` stands for any number of lines. Equal to ``expected`` when all of it
    matches; otherwise what is left shows where it does not."""
    parts: list[list[str]] = [[]]
    gaps: list[str] = []
    for line in expected:
        if line.strip() == "...":
            gaps.append(line)
            parts.append([])
        else:
            parts[-1].append(line)
    first, *rest = parts
    head = actual[: len(first)]
    aligned = [
        shown if _line_matches(shown, printed) else printed
        for shown, printed in zip(first, head, strict=False)
    ]
    if not rest:
        return aligned + actual[len(first) :]
    *middle, last = rest
    at = len(first)
    end = max(at, len(actual) - len(last))
    for gap, part in zip(gaps, middle, strict=False):
        found = next(
            (
                k
                for k in range(at, end - len(part) + 1)
                if _lines_match(part, actual[k : k + len(part)])
            ),
            None,
        )
        if found is None:
            return aligned + actual[at:]
        aligned += [gap, *part]
        at = found + len(part)
    # The last lines are the end of the output, whatever the gap before them holds.
    tail = actual[end:]
    return [*aligned, gaps[-1], *(last if _lines_match(last, tail) else tail)]


def _compare(what: str, shown: str, printed: str) -> str | None:
    """Why what was printed is not what the page shows, or None when it is."""
    expected = _normalise(shown)
    actual = _aligned(expected, _normalise(_docs_version(printed)))
    if actual == expected:
        return None
    diff = "\n".join(
        difflib.unified_diff(expected, actual, "shown in the docs", "printed", lineterm="")
    )
    return f"{what} printed something else than the page shows:\n{diff}"


# --- the blocks of a page ---------------------------------------------------------------------


@dataclass
class Block:
    start: int  # where the block (with its marker) starts in the page
    end: int
    language: str
    body: str
    line: int  # the line of the page the body starts at
    marker: tuple[str, str] | None


def _blocks(text: str) -> list[Block]:
    blocks = []
    for fence in _FENCE.finditer(text):
        indent = fence.group("indent")
        body = "".join(
            line[len(indent) :] if line.startswith(indent) else line.lstrip()
            for line in fence.group("body").splitlines(keepends=True)
        )
        start = fence.start()
        before = text[: fence.start()]
        marker = None
        found = _MARKER.search(before, max(0, len(before) - 300))
        if found is not None:
            marker = (found.group("kind"), found.group("path"))
            start = found.start()
        blocks.append(
            Block(
                start,
                fence.end(),
                fence.group("info").strip().split(" ")[0],
                body,
                text.count("\n", 0, fence.start()) + 2,
                marker,
            )
        )
    return blocks


def parse_page(document: Document) -> Iterator[Region]:
    """One region per block that is checked; a page that breaks the conventions is an error."""
    blocks = _blocks(document.text)
    for skip in _SKIP.finditer(document.text):
        following = next((b for b in blocks if b.start >= skip.end()), None)
        if following is None or following.language not in {"python", "console", "yaml"}:
            line = document.text.count("\n", 0, skip.start()) + 1
            raise ValueError(
                f"{document.path}, line {line}: a skip marker must come right before the "
                "'python', 'console' or 'yaml' block it skips"
            )
    for index, block in enumerate(blocks):
        where = f"{document.path}, line {block.line - 1}"
        previous = blocks[index - 1] if index else None
        if block.language not in _RUN | _SHOWN:
            raise ValueError(
                f"{where}: a '{block.language}' block; use one of {sorted(_RUN | _SHOWN)}"
            )
        if block.marker is not None:
            kind, path = block.marker
            check = _write_file if kind == "file" else _same_as
            yield Region(block.start, block.end, (path, block), check)
        elif block.language == "python":
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            shown = None
            if following is not None and following.language == "output":
                if document.text[block.end : following.start].strip():
                    raise ValueError(f"{where}: an 'output' block must follow its code directly")
                shown = following.body
            yield Region(block.start, block.end, (block, shown), _run_python)
        elif block.language == "output":
            if previous is None or previous.language != "python" or previous.marker:
                raise ValueError(f"{where}: an 'output' block must follow a 'python' block")
        elif block.language == "console":
            yield Region(block.start, block.end, block, _run_console)
        elif block.language == "yaml":
            yield Region(block.start, block.end, block, _check_yaml)


def _run_python(example: Example) -> str | None:
    block, shown = example.parsed
    page = Page.of(example)
    code = compile("\n" * (block.line - 1) + block.body, example.path, "exec", dont_inherit=True)
    printed = io.StringIO()
    with page.active(), contextlib.redirect_stdout(printed):
        exec(code, example.namespace)  # noqa: S102 (the docs' own examples, which is the point)
    example.namespace.pop("__builtins__", None)
    if shown is not None:
        return _compare("This code", shown, printed.getvalue())
    if printed.getvalue():
        return "This code prints, but no 'output' block follows it to show what:\n" + (
            printed.getvalue()
        )
    return None


def _write_file(example: Example) -> None:
    path, block = example.parsed
    page = Page.of(example)
    target = page.folder / path
    _write(target, block.body)
    if block.language == "python":
        compile(block.body, str(target), "exec", dont_inherit=True)
    elif block.language == "yaml":
        with page.active():
            _check_document(target)


def _same_as(example: Example) -> str | None:
    path, block = example.parsed
    original = iter((ROOT / path).read_text(encoding="utf-8").splitlines())
    # The shown lines, in order, each one a line of the file: nothing added or changed.
    for number, line in enumerate(block.body.splitlines(), start=block.line):
        if not any(line == candidate for candidate in original):
            return f"Line {number} of the page is not in {path} (or not in this order): {line!r}"
    return None


def _check_yaml(example: Example) -> str | None:
    block: Block = example.parsed
    if re.search(r"^cases:", block.body, re.MULTILINE):
        return "A case file is checked by running it: save it with a 'file' marker, or skip it."
    page = Page.of(example)
    scratch = page.folder / ".docs-yaml" / f"line-{block.line}.yaml"
    _write(scratch, block.body)
    with page.active():
        _check_document(scratch)
    return None


def _check_document(path: Path) -> None:
    """A workflow, an operating model or a pack; a case file is checked by the run of it."""
    text = path.read_text(encoding="utf-8")
    if re.search(r"^cases:", text, re.MULTILINE):
        return
    if re.search(r"^pack:", text, re.MULTILINE):
        aimo.load_pack(path)
    else:
        aimo.load(path)


def _run_console(example: Example) -> str | None:
    block: Block = example.parsed
    page = Page.of(example)
    command: str | None = None
    shown: list[str] = []
    for line in [*block.body.splitlines(), "$ "]:
        if line.startswith("$ "):
            if command is not None:
                failure = _run_command(page, command, "\n".join(shown))
                if failure is not None:
                    return failure
            command, shown = line[2:].strip(), []
        elif command is None:
            return f"A console block starts with a command, not {line!r}."
        else:
            shown.append(line)
    return None


def _run_command(page: Page, command: str, shown: str) -> str | None:
    words = shlex.split(command)
    env = page.subprocess_env()
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    output_file = None
    if len(words) > 2 and words[-2] == ">":
        output_file, words = words[-1], words[:-2]
    cwd = page.cwd or page.folder
    match words:
        case ["echo", "$?"]:
            return _compare(f"`{command}`", shown, f"{page.exit_code}\n")
        case ["cd", folder]:
            page.cwd = (cwd / folder).resolve()
            return None if page.cwd.is_dir() else f"`{command}`: there is no such folder."
        case ["aimo", *arguments]:
            argv = [sys.executable, "-m", "aimo", *arguments]
        case ["python", *arguments]:
            argv = [sys.executable, *arguments]
        case ["pytest", *arguments]:
            argv = [sys.executable, "-P", "-m", "pytest", *arguments]
        case _:
            return f"`{command}`: the docs' console blocks run no such command."
    result = subprocess.run(  # noqa: S603 (the docs' own commands, of the few kinds above)
        argv,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE if output_file else subprocess.STDOUT,
        text=True,
        timeout=120,
        check=False,
    )
    page.exit_code = result.returncode
    printed = result.stdout
    if output_file is not None:
        _write(cwd / output_file, result.stdout)
        printed = result.stderr
    return _compare(f"`{command}`", shown, printed)


def _close_page(namespace: dict[str, Any]) -> None:
    page = namespace.pop("__page__", None)
    if page is not None:
        page.close()


pytest_collect_file = (
    Sybil(
        parsers=[parse_page, SkipParser()],
        patterns=["README.md"],
        excludes=["*/README.md"],  # only the repository's own
        teardown=_close_page,
        name="readme",
    )
    + Sybil(
        parsers=[parse_page, SkipParser()],
        path="docs",
        patterns=["*.md"],
        excludes=["reference/policies.md"],  # generated, and checked as such
        teardown=_close_page,
        name="docs",
    )
).pytest()
