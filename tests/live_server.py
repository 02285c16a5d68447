"""A live ``factcheck serve`` on loopback, in its own data directory, for tests and benchmarks.

:class:`LiveServer` starts the production server exactly as an operator would (the
``factcheck`` command, gunicorn, its workers) as a subprocess in a new session, on a free port
of 127.0.0.1, with the catalog, index and sources under one directory. It can be stopped
gently, or killed with SIGKILL as a crash would, its whole process group at once (the gunicorn
master, its workers and any index writer processes). :func:`run_command` runs another
``factcheck`` command against the same data. Not a test module: pytest does not collect it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

HOST = "127.0.0.1"
COMMAND = [sys.executable, "-c", "from factcheck.cli import main; main()"]


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def port_answers(port: int, timeout: float) -> bool:
    """Whether something accepts connections on ``HOST:port`` within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def terminate(process: subprocess.Popen) -> None:
    """Stop a helper process: SIGTERM, then SIGKILL if it has not gone within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def environment(data_dir: Path, sources_dir: Path | None = None, **settings: str) -> dict:
    """The process environment of a service whose data all lives in ``data_dir``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("FACTCHECK_") and not key.startswith("FLASK_")
    }
    env.update(
        FACTCHECK_DATABASE_URL=f"sqlite:///{data_dir / 'catalog.sqlite3'}",
        FACTCHECK_INDEX_DIR=str(data_dir / "index"),
        FACTCHECK_SOURCES_DIR=str(sources_dir or data_dir / "sources"),
        FACTCHECK_SECRET_KEY="live-server",
        FACTCHECK_RATE_LIMIT="off",
        FACTCHECK_SECURE_COOKIES="off",
        PYTHONUNBUFFERED="1",
    )
    env.update({f"FACTCHECK_{name}": value for name, value in settings.items()})
    return env


def run_command(
    data_dir: Path,
    *args: str,
    timeout: float = 120,
    env: dict | None = None,
    input: str | None = None,
) -> subprocess.CompletedProcess:
    """Run ``factcheck ARGS`` on the data in ``data_dir`` and wait for it."""
    return subprocess.run(
        [*COMMAND, *args],
        env=env or environment(data_dir),
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_command(data_dir: Path, *args: str, env: dict | None = None) -> subprocess.Popen:
    """Start ``factcheck ARGS`` in its own process group (to be killed as a whole)."""
    return subprocess.Popen(
        [*COMMAND, *args],
        env=env or environment(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def kill_group(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """Send ``sig`` to the process group ``process`` leads, and reap the leader."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    process.wait(timeout=30)


class LiveServer:
    """``factcheck serve`` on a free loopback port, with its data in ``data_dir``."""

    def __init__(
        self,
        data_dir: Path,
        *,
        sources_dir: Path | None = None,
        workers: int = 2,
        threads: int = 4,
        env: dict | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.workers, self.threads = workers, threads
        self.env = env or environment(data_dir, sources_dir)
        self.log_path = data_dir / f"server-{self.port}.log"
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{HOST}:{self.port}"

    def start(self) -> LiveServer:
        """Start the server (it imports an empty catalog's sources first); do not wait."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        arguments = ["serve", "--host", HOST, "--port", str(self.port)]
        arguments += ["--workers", str(self.workers), "--threads", str(self.threads)]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [*COMMAND, *arguments],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def wait_ready(self, timeout: float = 120) -> dict:
        """Wait until ``/api/v1/health`` answers 200; return its body."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"server exited ({self.process.returncode}):\n{self.log()}")
            try:
                response = requests.get(self.base_url + "/api/v1/health", timeout=2)
                if response.status_code == 200:
                    return response.json()
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"server not ready after {timeout} s:\n{self.log()}")

    def kill(self) -> None:
        """SIGKILL the whole server (master and workers), as a crash would."""
        if self.process is not None:
            kill_group(self.process, signal.SIGKILL)
            self.process = None

    def stop(self) -> None:
        """Stop gently (SIGTERM), then kill whatever is left."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
        self.kill()

    def log(self) -> str:
        """The last lines the server printed."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-30:])
        except FileNotFoundError:
            return ""

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
