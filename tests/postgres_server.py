"""A real PostgreSQL server of its own for a test session: `initdb` into a temporary
folder, `pg_ctl start` on a free loopback port, `pg_ctl stop` at the end.

Debian's `postgresql` package brings the programs (`apt-get install -y postgresql`); the
server refuses to run as root, so as root it runs as the package's `postgres` user.
Without the programs the tests that need it are skipped, except on CI (`CI=true`), where
that is a failure: CI installs the package.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

__all__ = ["PostgresServer", "postgres_server"]


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str

    def databases(self) -> list[str]:
        """The names of the server's databases."""
        import psycopg

        with psycopg.connect(
            host=self.host, port=self.port, user=self.user, dbname="postgres"
        ) as connection:
            rows = connection.execute("SELECT datname FROM pg_database").fetchall()
        return sorted(str(row[0]) for row in rows)


def _programs() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """A running server on 127.0.0.1, trusting local connections of user `postgres`."""
    programs = _programs()
    if programs is None:
        message = "PostgreSQL is not installed: apt-get install -y postgresql"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    folder = Path(tempfile.mkdtemp(prefix="asgibdd-postgres-"))
    if as_user:
        shutil.chown(folder, "postgres", "postgres")
    data, port = folder / "data", _free_port()
    command = [*as_user, str(programs / "pg_ctl"), "-D", str(data)]
    try:
        subprocess.run(
            [*as_user, str(programs / "initdb"), "-D", str(data), "-U", "postgres",
             "--auth=trust", "--no-sync"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        subprocess.run(
            [*command, "-w", "-t", "60", "-l", str(folder / "server.log"), "-o",
             f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
            check=True, capture_output=True, timeout=90,
        )  # fmt: skip
        try:
            yield PostgresServer("127.0.0.1", port, "postgres")
        finally:
            subprocess.run(
                [*command, "-w", "-t", "60", "-m", "fast", "stop"],
                check=False, capture_output=True, timeout=90,
            )  # fmt: skip
    finally:
        shutil.rmtree(folder, ignore_errors=True)
