"""What a provider process remembers during one run: listings fetched once, names it made or deleted.

A provider is pickled into the state with nothing in it, and the provider process serves four requests at
once on one instance, so what a run shares lives here, in process state, keyed by what it is about (the
API's base URL first, then the integration, app, …). One mechanism for every resource:

- `get` fetches a key's value once; concurrent callers of the key wait at its gate for that fetch instead
  of fetching too. A `fresh` test says when a stored value may be served (its age, the writes since).
- `drop` forgets a key after a write that makes its value wrong, and counts the key's generation up, so a
  fetch that was under way during the write is not served afterwards.
- A provider lists in `run_caches` the caches its `configure` empties (a new run, or a test's new provider);
  a cache not listed there lives as long as the process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")
R = TypeVar("R")


@dataclass(frozen=True)
class Entry(Generic[V]):
    value: V
    started: float
    """When the fetch of the value started (`time.monotonic()`): it shows every write finished by then."""
    generation: int
    """The key's generation when the fetch started; a `drop` since makes it stale."""


class RunCache(Generic[V]):
    """A thread-safe keyed store with a gate per key."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._gates: dict[Hashable, threading.Lock] = {}
        self._entries: dict[Hashable, Entry[V]] = {}
        self._generations: dict[Hashable, int] = {}

    def _gate(self, key: Hashable) -> threading.Lock:
        with self._lock:
            return self._gates.setdefault(key, threading.Lock())

    def _entry(self, key: Hashable) -> tuple[Entry[V] | None, int]:
        with self._lock:
            return self._entries.get(key), self._generations.get(key, 0)

    def get(
        self,
        key: Hashable,
        fetch: Callable[[], V],
        *,
        fresh: Callable[[Entry[V], int], bool] | None = None,
        gate: Hashable | None = None,
    ) -> V:
        """The stored value if `fresh(entry, generation)` says it may be served (default: not dropped since
        its fetch started), else a new fetch, stored. One fetch at a time per gate (default: the key)."""
        with self._gate(key if gate is None else gate):
            entry, generation = self._entry(key)
            if entry is not None and (entry.generation == generation if fresh is None else fresh(entry, generation)):
                return entry.value
            started = time.monotonic()
            value = fetch()
            self.put(key, value, started=started, generation=generation)
            return value

    def using(self, key: Hashable, make: Callable[[], V], action: Callable[[V], R]) -> R:
        """`action` on the key's value (made if missing), holding the key's gate: for a value read in steps."""
        with self._gate(key):
            entry, generation = self._entry(key)
            if entry is None:
                entry = Entry(make(), time.monotonic(), generation)
                with self._lock:
                    self._entries[key] = entry
            return action(entry.value)

    def update(self, key: Hashable, change: Callable[[V], V]) -> None:
        """Replace a stored value by `change(value)`, holding the key's gate; nothing when none is stored."""
        with self._gate(key), self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries[key] = Entry(change(entry.value), entry.started, entry.generation)

    def put(self, key: Hashable, value: V, *, started: float | None = None, generation: int | None = None) -> None:
        with self._lock:
            generation = self._generations.get(key, 0) if generation is None else generation
            self._entries[key] = Entry(value, time.monotonic() if started is None else started, generation)

    def add(self, key: Hashable, value: V) -> bool:
        """Store `value` unless the key holds one; True when it was stored."""
        with self._lock:
            if key in self._entries:
                return False
            self._entries[key] = Entry(value, time.monotonic(), self._generations.get(key, 0))
            return True

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._entries

    def drop(self, key: Hashable) -> None:
        """Forget the key's value; a fetch under way now is not served afterwards either."""
        with self._lock:
            self._generations[key] = self._generations.get(key, 0) + 1
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
