"""A dictionary from keys to one or more values that stores a single value bare.

The screening index holds millions of keys (typo neighbourhoods, keys of words), most
with one value; a list per key would double the memory and slow the garbage collector,
which visits every list.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V", int, str)


class MultiMap(Generic[K, V]):
    """key -> values, in insertion order (values are ints or strings, never lists)."""

    __slots__ = ("_data",)

    def __init__(self) -> None:
        self._data: dict[K, V | list[V]] = {}

    def add(self, key: K, value: V) -> None:
        held = self._data.get(key)
        if held is None:
            self._data[key] = value
        elif isinstance(held, list):
            held.append(value)
        else:
            self._data[key] = [held, value]

    def add_new(self, key: K, value: V) -> None:
        """Add ``value`` unless the key already holds it."""
        if value not in self.get(key):
            self.add(key, value)

    def get(self, key: K) -> Sequence[V]:
        held = self._data.get(key)
        if held is None:
            return ()
        return held if isinstance(held, list) else (held,)

    def __contains__(self, key: K) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)
