"""Lists and mappings that cannot be changed, for documents and their JSON form.

Documents are immutable in depth (spec 5.1): a policy that tries to change what it judges
fails inside that policy, and no later policy or evaluation sees a change. A document's
lists are tuples; its mappings, and the lists of its JSON form, are :class:`FrozenDict`
and :class:`FrozenList`: a ``dict`` and a ``list`` that refuse every change, so that code
reading them as JSON data (serialisers, jsonschema) still sees a ``dict`` and a ``list``.
"""

from __future__ import annotations

from typing import Any, NoReturn, TypeVar

__all__ = ["FrozenDict", "FrozenList", "freeze_json"]

K = TypeVar("K")
V = TypeVar("V")


def _refuse(self: Any, *args: Any, **kwargs: Any) -> NoReturn:
    raise TypeError("this is part of a document and cannot be changed")


class FrozenDict(dict[K, V]):
    """A ``dict`` whose content is fixed when it is made."""

    __slots__ = ()

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        # The default pickling of a dict subclass calls __setitem__.
        return (FrozenDict, (dict(self),))

    def __copy__(self) -> FrozenDict[K, V]:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenDict[K, V]:
        import copy

        return FrozenDict({k: copy.deepcopy(v, memo) for k, v in self.items()})


class FrozenList(list[V]):
    """A ``list`` whose content is fixed when it is made."""

    __slots__ = ()

    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse
    append = clear = extend = insert = pop = remove = reverse = sort = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenList, (list(self),))

    def __copy__(self) -> FrozenList[V]:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenList[V]:
        import copy

        return FrozenList(copy.deepcopy(v, memo) for v in self)


def freeze_json(value: Any) -> Any:
    """JSON data (dicts, lists, scalars) with every dict and list frozen, in depth."""
    kind = type(value)
    if kind is dict:
        return FrozenDict({k: freeze_json(v) for k, v in value.items()})
    if kind is list:
        return FrozenList([freeze_json(v) for v in value])
    return value
