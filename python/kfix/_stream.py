"""Iterators over per-file runs (Engine.scan_paths_per_file / fix_paths_per_file).

The C++ run hands each file's part to a callback on the thread that called it. To give Python a plain
iterator, the run goes on a helper thread (the engine works there without the GIL) and each part
crosses over through a one-slot queue: at most one part waits for the consumer, so memory follows the
largest file. Closing the iterator early (``break``, an exception in the loop body, ``close()``, the
iterator going away, the interpreter exiting) stops the run: the helper's next hand-over raises, the
engine joins its workers and returns.
"""

from __future__ import annotations

import atexit
import collections.abc
import queue
import threading
import weakref
from typing import Any, Callable, Optional, Tuple, TypeVar

T = TypeVar("T")


class _Stopped(Exception):
    """Raised inside the callback once the consumer has gone."""


class _Channel:
    """What the helper thread shares with the iterator (never the iterator itself, so that dropping
    the iterator runs its ``__del__``)."""

    def __init__(self) -> None:
        self.slot: "queue.Queue[Tuple[str, Any]]" = queue.Queue(maxsize=1)
        self.stop = threading.Event()

    def hand(self, part: Any) -> None:
        if self.stop.is_set():
            raise _Stopped()
        self.slot.put(("part", part))
        if self.stop.is_set():
            raise _Stopped()

    def work(self, run: Callable[[Callable[[Any], None]], None]) -> None:
        try:
            run(self.hand)
            item: Tuple[str, Any] = ("done", None)
        except _Stopped:
            return
        except BaseException as e:  # handed to the consumer, raised there
            item = ("error", e)
        if not self.stop.is_set():
            self.slot.put(item)


# Streams still running. At exit they are closed before the interpreter finalizes: a helper thread
# that met a finalizing interpreter inside the engine would end with the engine's workers unjoined.
_live: "weakref.WeakSet[PartStream[Any]]" = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for stream in list(_live):
        stream.close()


class PartStream(collections.abc.Iterator[T]):
    """An iterator over the parts of one per-file run, in report order."""

    def __init__(self, run: Callable[[Callable[[Any], None]], None], wrap: Callable[[Any], T]) -> None:
        self._wrap = wrap
        self._channel = _Channel()
        self._finished = False
        self._thread: Optional[threading.Thread] = threading.Thread(
            target=self._channel.work, args=(run,), name="kfix-per-file", daemon=True)
        _live.add(self)
        self._thread.start()

    def __iter__(self) -> "PartStream[T]":
        return self

    def __next__(self) -> T:
        if self._finished:
            raise StopIteration
        kind, value = self._channel.slot.get()
        if kind == "part":
            return self._wrap(value)
        self._finished = True
        self._join()
        if kind == "error":
            raise value
        raise StopIteration

    def close(self) -> None:
        """Stops the run (if it still goes on) and waits for its thread; idempotent."""
        if self._thread is None:
            return
        if not self._finished:
            self._finished = True
            self._channel.stop.set()
            while self._thread.is_alive():  # frees a hand-over blocked on the full slot
                try:
                    self._channel.slot.get(timeout=0.05)
                except queue.Empty:
                    pass
        self._join()

    def _join(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> "PartStream[T]":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass
