"""The field names a declarative rule uses, checked against the document it judges.

JSON Schema ignores a property an instance does not have: a rule whose ``when`` names
``audiance`` instead of ``audience`` is valid JSON Schema and never applies, silently. So a
pack's schemas are walked alongside the document model when the pack loads, and every
property name the model does not have at that level is a problem, with a "did you mean"
hint. The walk follows ``properties`` into a field's model, ``items``, ``prefixItems``,
``contains`` and ``unevaluatedItems`` into a list's items, the combinators at the same
level, and references within the schema; it stops below a scalar field and below a
user's own ``x-`` field, whose content aimo does not know.

The document model is a parameter: rules judge a :class:`~aimo.Workflow` today, and a rule
about an :class:`~aimo.OperatingModel` is the same walk from another root.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Annotated, Any, NamedTuple, Union, get_args, get_origin
from urllib.parse import unquote

from pydantic import BaseModel

from aimo._documents.models import OperatingModel, Workflow
from aimo._documents.pointer import unescape

__all__ = ["UnknownField", "unknown_fields"]

#: How messages call the whole document, by model.
_NOUNS: dict[type[BaseModel], str] = {Workflow: "a workflow", OperatingModel: "an operating model"}


def _quote(name: str) -> str:
    # Cut like every value a pack error quotes: a name can be as long as the file.
    text = repr(name)
    return text if len(text) <= 200 else text[:197] + "..."


class UnknownField(NamedTuple):
    """A property name that the document does not have where the rule names it."""

    #: Where the name is written: the keys and indexes from the top of the schema.
    at: tuple[str | int, ...]
    name: str
    message: str


class _Object(NamedTuple):
    model: type[BaseModel]
    label: str  # how messages call this part of the document
    dotted: str  # its field path, as a user writes it: output_standard.checks


class _Array(NamedTuple):
    item: _Object | _Array | None
    label: str
    dotted: str


_Shape = _Object | _Array | None

_SAME_LEVEL_ONE = ("not", "if", "then", "else")
_SAME_LEVEL_MANY = ("allOf", "anyOf", "oneOf")
_ITEM_ONE = ("items", "contains", "unevaluatedItems")
_NAMES = ("properties", "required", "dependentRequired", "dependentSchemas")


def unknown_fields(schema: Any, model: type[BaseModel] = Workflow) -> Iterator[UnknownField]:
    """Yield each property name ``schema`` uses that ``model`` does not have there.

    ``schema`` must already be a valid JSON Schema; names starting with ``x-`` are the
    user's own and are never reported.
    """
    noun = _NOUNS.get(model, f"a {model.__name__}")
    walk = _Walk(schema)
    walk.schema(schema, (), _Object(model, noun, ""))
    yield from walk.found.values()


def _shape(annotation: Any, dotted: str) -> _Shape:
    """What a field of this type is, for the walk: a model, a list of something, or a leaf."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _shape(get_args(annotation)[0], dotted)
    if origin is Union or origin is types.UnionType:
        options = [a for a in get_args(annotation) if a is not type(None)]
        return _shape(options[0], dotted) if len(options) == 1 else None
    if origin in (list, tuple, Sequence):
        args = get_args(annotation)
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            return None  # a fixed-length tuple: no document field is one
        item = _shape(args[0], f"{dotted}[]") if args else None
        return _Array(item, f"'{dotted}'", dotted)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _Object(annotation, f"'{dotted}'", dotted)
    return None


def _item_label(shape: _Array) -> _Shape:
    item = shape.item
    if item is None:
        return None
    return item._replace(label=f"an item of {shape.label}")


class _Walk:
    def __init__(self, root: Any) -> None:
        self.root = root
        self.found: dict[tuple[tuple[str | int, ...], str], UnknownField] = {}
        self.followed: set[tuple[str, _Shape]] = set()

    def schema(self, schema: Any, at: tuple[str | int, ...], shape: _Shape) -> None:
        if shape is None or not isinstance(schema, Mapping):
            return
        if isinstance(shape, _Object):
            self.object(schema, at, shape)
        else:
            self.array(schema, at, shape)
        for keyword in _SAME_LEVEL_ONE:
            if keyword in schema:
                self.schema(schema[keyword], (*at, keyword), shape)
        for keyword in _SAME_LEVEL_MANY:
            for index, sub in enumerate(_list(schema.get(keyword))):
                self.schema(sub, (*at, keyword, index), shape)
        for keyword in ("$ref", "$dynamicRef"):
            reference = schema.get(keyword)
            if isinstance(reference, str):
                self.reference(reference, shape)

    def object(self, schema: Mapping[str, Any], at: tuple[str | int, ...], shape: _Object) -> None:
        fields = shape.model.model_fields
        for name, sub in _mapping(schema.get("properties")).items():
            where = (*at, "properties", name)
            if self.known(name, where, shape):
                dotted = f"{shape.dotted}.{name}" if shape.dotted else name
                self.schema(sub, where, _shape(fields[name].annotation, dotted))
        for index, name in enumerate(_list(schema.get("required"))):
            self.known(name, (*at, "required", index), shape)
        for name, names in _mapping(schema.get("dependentRequired")).items():
            self.known(name, (*at, "dependentRequired", name), shape)
            for index, other in enumerate(_list(names)):
                self.known(other, (*at, "dependentRequired", name, index), shape)
        for name, sub in _mapping(schema.get("dependentSchemas")).items():
            where = (*at, "dependentSchemas", name)
            self.known(name, where, shape)
            self.schema(sub, where, shape)

    def array(self, schema: Mapping[str, Any], at: tuple[str | int, ...], shape: _Array) -> None:
        item = _item_label(shape)
        for keyword in _ITEM_ONE:
            if keyword in schema:
                self.schema(schema[keyword], (*at, keyword), item)
        for index, sub in enumerate(_list(schema.get("prefixItems"))):
            self.schema(sub, (*at, "prefixItems", index), item)
        # Object keywords never apply to a list: a name under them is a rule that does
        # nothing, most likely a schema meant for each item.
        for keyword in _NAMES:
            value = schema.get(keyword)
            named: Iterable[tuple[str | int, Any]] = (
                enumerate(_list(value)) if keyword == "required" else _named(_mapping(value))
            )
            for key, name in named:
                if isinstance(name, str) and not name.startswith("x-"):
                    self.report(
                        (*at, keyword, key),
                        name,
                        f"{shape.label} is a list, so it has no field {_quote(name)}: to check "
                        "each item, put the schema under 'items'",
                    )

    def known(self, name: Any, at: tuple[str | int, ...], shape: _Object) -> bool:
        """Whether ``name`` is a field of ``shape``; reports it if not, unless it is ``x-``."""
        if not isinstance(name, str) or name.startswith("x-"):
            return False
        fields = shape.model.model_fields
        if name in fields:
            return True
        close = difflib.get_close_matches(name, sorted(fields), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        self.report(at, name, f"{shape.label} has no field {_quote(name)}{hint}")
        return False

    def report(self, at: tuple[str | int, ...], name: str, message: str) -> None:
        self.found.setdefault((at, name), UnknownField(at, name, message))

    def reference(self, reference: str, shape: _Shape) -> None:
        if not reference.startswith("#") or (reference, shape) in self.followed:
            return
        self.followed.add((reference, shape))
        fragment = unquote(reference[1:])
        if fragment and not fragment.startswith("/"):
            # A plain-name fragment: only the top of a rule may declare an anchor.
            root = self.root if isinstance(self.root, Mapping) else {}
            if fragment not in (root.get("$anchor"), root.get("$dynamicAnchor")):
                return
            fragment = ""
        target: Any = self.root
        at: list[str | int] = []
        for token in fragment.split("/")[1:]:
            part = unescape(token)
            key: str | int
            if isinstance(target, Mapping) and part in target:
                target, key = target[part], part
            elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
                target, key = target[int(part)], int(part)
            else:
                return  # jsonschema reports a reference that leads nowhere when it is used
            at.append(key)
        self.schema(target, tuple(at), shape)


def _named(mapping: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    return ((name, name) for name in mapping)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
