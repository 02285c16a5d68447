"""A Redis for tests: the one CI started (``FACTCHECK_TEST_REDIS_URL``), or a private one.

``.ci/run`` starts Debian's ``redis-server`` on loopback and names it in
``FACTCHECK_TEST_REDIS_URL``; elsewhere :class:`RedisServer` starts a private ``redis-server``
on a free loopback port, keeping nothing on disk, for as long as a test needs it. Tests that
need Redis and find neither are skipped. Not a test module: pytest does not collect it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

from live_server import HOST, port_answers, terminate

URL_VARIABLE = "FACTCHECK_TEST_REDIS_URL"


def redis_available() -> bool:
    """Whether a test can have a Redis: CI's, or a ``redis-server`` to start."""
    return bool(os.environ.get(URL_VARIABLE)) or shutil.which("redis-server") is not None


def closed_port() -> int:
    """A loopback port nothing listens on (a Redis that is down)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class RedisServer:
    """``redis-server`` on a free loopback port, nothing saved, stopped at ``stop()``."""

    def __init__(self, work_dir: Path) -> None:
        self.work_dir = work_dir
        self.port = closed_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:PORT/0``."""
        return f"redis://{HOST}:{self.port}/0"

    def start(self, timeout: float = 10) -> RedisServer:
        """Start it and wait until it accepts connections."""
        self.work_dir.mkdir(parents=True, exist_ok=True)
        arguments = ["--bind", HOST, "--port", str(self.port), "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            ["redis-server", *arguments, "--dir", str(self.work_dir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if port_answers(self.port, timeout):
            return self
        self.stop()
        raise TimeoutError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        """Stop it (SIGTERM, then SIGKILL)."""
        if self.process is None:
            return
        terminate(self.process)
        self.process = None
