"""Many nodes on loopback for tests: a fresh PostgreSQL database, and nginx in front of them.

:class:`FreshDatabase` creates a database of its own on the PostgreSQL server that
``FACTCHECK_TEST_DATABASE_URL`` names (its role needs ``CREATEDB``, which ``.ci/run`` grants)
and drops it afterwards. :class:`Nginx` runs Debian's ``nginx`` as a subprocess with its own
prefix, with the configuration operators are given, ``docs/nginx/factcheck.conf``, whose
upstream lists the test's nodes instead of the example ones and which listens on a free
loopback port. :class:`CuttableLink` stands between a node and PostgreSQL so a test can cut
the catalog away. The nodes themselves are :class:`live_server.LiveServer`. Not a test module:
pytest does not collect it.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import shutil
import socket
import subprocess
import threading
from pathlib import Path

from live_server import HOST, free_port, port_answers, terminate
from sqlalchemy import create_engine, make_url, text

REPOSITORY = Path(__file__).resolve().parent.parent
NGINX_CONFIG = REPOSITORY / "docs" / "nginx" / "factcheck.conf"
_UPSTREAM_SERVER = re.compile(r"^(\s*)server\s+[^\s;]+:\d+(\s[^;]*)?;.*$", re.M)
_LISTEN = re.compile(r"^(\s*)listen\s+80;", re.M)


class FreshDatabase:
    """A new, empty PostgreSQL database beside the one ``server_url`` names."""

    def __init__(self, server_url: str) -> None:
        self.server_url = make_url(server_url)
        self.name = f"factcheck_cluster_{secrets.token_hex(4)}"
        self.url = self.server_url.set(database=self.name).render_as_string(hide_password=False)

    def _run(self, statement: str) -> None:
        engine = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text(statement))
        finally:
            engine.dispose()

    def create(self) -> FreshDatabase:
        """Create the database (the nodes migrate it when they start)."""
        self._run(f'CREATE DATABASE "{self.name}"')
        return self

    def drop(self) -> None:
        """Drop it, closing whatever connections are still open to it."""
        self._run(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def nginx_site(upstreams: list[str], listen_port: int) -> str:
    """``docs/nginx/factcheck.conf`` with ``upstreams`` (``host:port``) as its nodes."""
    template = NGINX_CONFIG.read_text(encoding="utf-8")
    servers = list(_UPSTREAM_SERVER.finditer(template))
    if not servers or not _LISTEN.search(template):
        raise ValueError(f"{NGINX_CONFIG} has no upstream `server` lines or no `listen 80;`")
    indent, parameters = servers[0].group(1), servers[0].group(2) or ""
    lines = "\n".join(f"{indent}server {address}{parameters};" for address in upstreams)
    site = template[: servers[0].start()] + lines + template[servers[-1].end() :]
    return _LISTEN.sub(rf"\g<1>listen {HOST}:{listen_port};", site)


class Nginx:
    """``nginx -p DIR -c nginx.conf -g 'daemon off;'`` in front of ``upstreams``."""

    def __init__(self, directory: Path, upstreams: list[str]) -> None:
        self.directory = directory
        self.upstreams = upstreams
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{HOST}:{self.port}"

    @property
    def access_log(self) -> Path:
        """One line per request: ``status|node addresses tried|their statuses``."""
        return self.directory / "access.log"

    def write_config(self) -> Path:
        """The main configuration (this test's paths), which includes the operators' file."""
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "factcheck.conf").write_text(
            nginx_site(self.upstreams, self.port), encoding="utf-8"
        )
        temp = self.directory / "temp"
        config = f"""
worker_processes 1;
pid {self.directory}/nginx.pid;
error_log {self.directory}/error.log warn;
events {{ worker_connections 256; }}
http {{
    log_format upstreams '$status|$upstream_addr|$upstream_status';
    access_log {self.access_log} upstreams;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {self.directory}/factcheck.conf;
}}
"""
        path = self.directory / "nginx.conf"
        path.write_text(config, encoding="utf-8")
        return path

    def start(self, timeout: float = 15) -> Nginx:
        """Check the configuration, start nginx and wait until it accepts connections."""
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        config = self.write_config()
        (self.directory / "temp").mkdir(exist_ok=True)
        command = [binary, "-p", str(self.directory), "-c", str(config)]
        checked = subprocess.run(
            [*command, "-t"], capture_output=True, text=True, timeout=30, check=False
        )
        if checked.returncode != 0:
            raise RuntimeError(f"nginx -t refused the configuration:\n{checked.stderr}")
        self.process = subprocess.Popen(
            [*command, "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        if port_answers(self.port, timeout):
            return self
        self.stop()
        raise TimeoutError(f"nginx did not start on port {self.port}")

    def stop(self) -> None:
        """Stop nginx (SIGTERM, then SIGKILL)."""
        if self.process is None:
            return
        terminate(self.process)
        self.process = None

    def answered_by(self) -> list[str]:
        """The node that gave each logged request its answer (the last one tried), in order."""
        nodes = []
        for line in self.access_log.read_text(encoding="utf-8").splitlines():
            _status, tried, _statuses = line.split("|")
            nodes.append(tried.split(",")[-1].strip())
        return nodes


def nginx_available() -> bool:
    """Whether Debian's nginx is installed."""
    return shutil.which("nginx") is not None or Path("/usr/sbin/nginx").exists()


class CuttableLink:
    """A TCP forwarder on a free loopback port to ``target``, that a test can cut and restore.

    Cutting closes the listening socket and every forwarded connection, as a network partition
    or a stopped server would look from the client side (connections refused and reset).
    """

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()

    def restore(self) -> CuttableLink:
        """Listen (again) on the same port and forward every connection to the target."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((HOST, self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def cut(self) -> None:
        """Refuse new connections and reset the open ones."""
        with self._lock:
            listener, self._listener = self._listener, None
            connections, self._connections = self._connections, []
        if listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone would leave the
            # socket listening for as long as that call holds it.
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return  # cut
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._connections += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=_pipe, args=(source, sink), daemon=True).start()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    """Copy bytes from ``source`` to ``sink`` until either end closes."""
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    for end in (source, sink):
        with contextlib.suppress(OSError):
            end.shutdown(socket.SHUT_RDWR)
