"""Background passes: one at a time, once per index version, and a failed one is retried."""

from __future__ import annotations

import threading

import pytest

from factcheck.search.background import BackgroundPass


class CountingPass(BackgroundPass):
    def __init__(self, fail: bool = False) -> None:
        super().__init__()
        self.runs = 0
        self.fail = fail
        self.release = threading.Event()

    def run(self) -> None:
        self.runs += 1
        self.release.wait(5)
        if self.fail:
            raise RuntimeError("pass failed")


def test_one_pass_per_version_and_none_beside_a_running_one() -> None:
    background = CountingPass()
    assert background.start_for("v1")
    assert not background.start_for("v2")  # v1's pass is still running
    background.release.set()
    background.join(5)
    assert not background.start_for("v1")  # already done for v1
    assert background.start_for("v2")
    background.join(5)
    assert background.runs == 2


def test_a_failed_pass_is_tried_again_for_the_same_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    errors: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(args.exc_value))
    background = CountingPass(fail=True)
    background.release.set()
    assert background.start_for("v1")
    background.join(5)
    assert isinstance(errors[0], RuntimeError)  # the error still reaches the thread's hook
    background.fail = False
    assert background.start_for("v1")
    background.join(5)
    assert background.runs == 2
