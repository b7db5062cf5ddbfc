"""The lock trusts nothing it finds on disk: crafted lock files, symlinks, reused pids."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from canal.errors import StoreError
from canal.store import open_store


def _lock(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


def test_a_crafted_lock_naming_another_process_and_folder_leaves_both_untouched(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    victims = [tmp_path / "canal-victim", Path(tempfile.mkdtemp(prefix="canal-"))]
    # a process of ours whose command line names the folders' sockets, as a server's would
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", *(f"{v}/redis.sock" for v in victims)])
    try:
        for v in victims:
            v.mkdir(exist_ok=True)
            (v / "precious.txt").write_text("keep me", encoding="utf-8")
        for victim in victims:
            for pid in (sleeper.pid, os.getppid(), 1):
                _lock(db).write_text(json.dumps({"owner_pid": pid, "server_pid": pid, "config": str(victim / "redis.conf"), "tmpdir": str(victim)}), encoding="utf-8")
                with open_store(str(db)) as store:
                    store.counts()
                assert sleeper.poll() is None, "the unrelated process was signalled"
                assert (victim / "precious.txt").read_text(encoding="utf-8") == "keep me"
        # a folder that looks like canal's own but whose config names another database
        fake = victims[1]
        (fake / "precious.txt").unlink()
        (fake / "redis.conf").write_text('dir "/elsewhere"\ndbfilename "other.db"\n', encoding="utf-8")
        _lock(db).write_text(json.dumps({"server_pid": sleeper.pid, "tmpdir": str(fake)}), encoding="utf-8")
        with open_store(str(db)):
            pass
        assert (fake / "redis.conf").exists() and sleeper.poll() is None
    finally:
        sleeper.kill()
        sleeper.wait()
        for v in victims:
            for f in v.glob("*"):
                f.unlink()
            v.rmdir()


def test_a_symlinked_lock_file_leaves_its_target_untouched(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    target = tmp_path / "important.txt"
    target.write_text("precious contents\n", encoding="utf-8")
    _lock(db).symlink_to(target)
    with pytest.raises(StoreError, match="symbolic link"):
        open_store(str(db))
    assert target.read_text(encoding="utf-8") == "precious contents\n"
    # a link to nowhere is not created through either
    _lock(db).unlink()
    _lock(db).symlink_to(tmp_path / "nowhere")
    with pytest.raises(StoreError, match="symbolic link"):
        open_store(str(db))
    assert not (tmp_path / "nowhere").exists()


def test_the_temporary_folder_of_a_killed_run_is_still_cleaned(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    script = "import sys, time; from canal.store import open_store\ns = open_store(sys.argv[1]); print('up', flush=True); time.sleep(300)"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen([sys.executable, "-c", script, str(db)], stdout=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stdout.readline().strip() == b"up"
    info = json.loads(_lock(db).read_text(encoding="utf-8"))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and os.path.exists(f"/proc/{info['server_pid']}"):
        time.sleep(0.05)  # the server follows its owner (PDEATHSIG)
    assert Path(info["tmpdir"]).is_dir()
    with open_store(str(db)) as store:
        store.counts()
    assert not Path(info["tmpdir"]).exists()
