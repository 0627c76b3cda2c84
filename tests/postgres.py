"""Starts and stops a throwaway PostgreSQL server from Debian's binaries, for the tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

INSTALL_HINT = (
    "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin. "
    "Install them with `apt-get install -y postgresql` (or run `make test`, which does)."
)


def _bin_dir() -> Path:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    if candidates:
        return candidates[0].parent
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise RuntimeError(INSTALL_HINT)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """initdb + pg_ctl in a temporary folder; as root, the server runs as the postgres user."""

    def __init__(self, base: Path, *, durable: bool = False) -> None:
        self.base = base
        self.durable = durable  # fsync on (benchmarks); off for the tests' speed
        self.data = base / "data"
        self.port = _free_port()
        self.bin = _bin_dir()
        self._as_postgres = os.geteuid() == 0

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        if self._as_postgres:
            shutil.chown(self.base, user="postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.resume()

    def resume(self) -> None:
        """Start the server on its existing data (after `stop`)."""
        fsync = "on" if self.durable else "off"
        options = f"-k {self.base} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync={fsync}"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-w",
            "-l",
            str(self.base / "log"),
            "start",
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            log = self.base / "log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{tool} failed: {result.stderr.strip()}\n{tail}")
