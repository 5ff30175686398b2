"""Files named one by one, as a pre-commit hook names them: which are aimo's at all, and
which operating model claims a workflow file.

A hook is handed the files a commit changes, whatever they are: CI configurations, editor
settings, a workflow file whose model did not change. ``aimo check --ignore-unknown``
passes over the files that are no aimo document, as Prettier's option of that name does;
``--find-models`` judges a workflow file with the operating model that lists it, which
lives in its folder or a folder above it (a model reads files only inside its folder), so
that a hook never judges it against the defaults instead of its organisation's rules.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from aimo._documents.files import inside
from aimo._documents.inventory import is_workflow
from aimo._documents.limits import Limits
from aimo._documents.loader import is_model, is_pack, open_model
from aimo._documents.reader import read, read_bytes
from aimo._errors import DocumentError

__all__ = ["ModelFinder", "unknown"]

_SUFFIXES = (".yaml", ".yml", ".json")

# A key every aimo document has at its top level: ``id`` (a workflow), ``aimo`` (a model),
# ``pack`` (a pack). In YAML it starts a line; in JSON, it is looked for anywhere.
_AIMO_KEY = re.compile(rb"""^["']?(?:id|aimo|pack)["']?[ \t]*:|"(?:id|aimo|pack)"\s*:""", re.M)


def unknown(path: Path, limits: Limits) -> bool:
    """Whether a file is no aimo document: neither a workflow, an operating model nor a
    pack. A file that does not parse (a template, YAML with tags of another tool) is one
    only when no top-level key says otherwise; a file that cannot be read at all is not
    passed over, since nothing then says whose it is."""
    try:
        parsed = read(path, limits)
    except DocumentError:
        try:
            raw = read_bytes(os.fspath(path), limits)
        except DocumentError:
            return False
        return _AIMO_KEY.search(raw) is None
    data = parsed.data
    return not (is_workflow(data) or is_model(data) or is_pack(data))


class ModelFinder:
    """The operating models that list a workflow file, found in its folder and the
    folders above it, up to the current folder; each folder is read once."""

    def __init__(self, limits: Limits, allow_outside: bool) -> None:
        self._limits = limits
        self._allow_outside = allow_outside
        # Per folder: each model in it, with its size and the files it claims.
        self._folders: dict[Path, list[tuple[Path, int, frozenset[str]]]] = {}

    def claiming(self, file: Path) -> Iterator[tuple[Path, int, frozenset[str]]]:
        """Each model (its path, its number of workflows, the files it claims) that claims
        ``file``, the nearest first; its path is relative when ``file``'s is, so that the
        model and its workflows are named in the output as the file was."""
        target = os.path.realpath(file)
        relative = not Path(file).is_absolute()
        for folder in _folders_up(Path(file).absolute().parent):
            for path, size, claims in self._models_in(folder):
                if target in claims:
                    yield (Path(os.path.relpath(path)) if relative else path), size, claims

    def _models_in(self, folder: Path) -> list[tuple[Path, int, frozenset[str]]]:
        if folder not in self._folders:
            models = []
            try:
                candidates = sorted(
                    p for p in folder.iterdir() if p.suffix.lower() in _SUFFIXES and p.is_file()
                )
            except OSError:
                candidates = []
            for path in candidates:
                # A link in the folder to a file elsewhere is no model of this folder: named
                # by nobody, it must not be read, let alone judge the folder's workflows.
                if not self._allow_outside and not inside(path, folder):
                    continue
                try:
                    inventory = open_model(
                        path, limits=self._limits, allow_outside=self._allow_outside
                    )
                except DocumentError:
                    continue  # not readable as a model: not one that can claim a file
                if inventory is None:
                    continue
                # A model with problems of its own still claims its files: judged with it,
                # a workflow file shows the model's problems rather than passing alone.
                claims = frozenset(map(os.path.realpath, inventory.files))
                models.append((path, len(inventory), claims))
            self._folders[folder] = models
        return self._folders[folder]


def _folders_up(folder: Path) -> Iterator[Path]:
    """``folder`` and each folder above it up to the current folder; ``folder`` alone when
    it is not inside the current folder."""
    top = Path.cwd()
    yield folder
    if not folder.is_relative_to(top):
        return
    while folder != top:
        folder = folder.parent
        yield folder
