"""Background passes: work that follows the index, one daemon thread per process at a time.

Embedding new passages (:mod:`factcheck.search.vectors`) and re-checking recent claims
(:mod:`factcheck.review.rechecks`) both run after the index moves on. :class:`BackgroundPass`
holds what they share: a pass starts when :meth:`~BackgroundPass.start_for` is given a version
it has not started for and none is running; a failed pass forgets its version so that the next
poke tries again (the thread's error is logged by Python).
"""

from __future__ import annotations

import threading


class BackgroundPass:
    """One pass at a time in a daemon thread; subclasses say what a pass does in :meth:`run`."""

    thread_name = "factcheck-background"

    def __init__(self, seen: str | None = None) -> None:
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._seen = seen  # the index version the last pass started for

    def start_for(self, version: str) -> bool:
        """Start a pass for ``version`` unless one ran for it or one is running; say if started."""
        if version == self._seen:
            return False
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return False  # the running pass's successor is started by a later poke
            self._seen = version
            self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
            self._thread.start()
        return True

    def join(self, timeout: float | None = None) -> None:
        """Wait for the running pass (tests, shutdown, the import command)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def forget(self) -> None:
        """Let the next poke start a pass even if the index has not moved."""
        self._seen = None

    def run(self) -> None:
        """One pass."""
        raise NotImplementedError

    def _run(self) -> None:
        try:
            self.run()
        except BaseException:
            self.forget()
            raise
