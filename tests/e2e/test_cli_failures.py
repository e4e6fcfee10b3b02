"""Every failure at the CLI's edge: one line on stderr, its documented exit code, nothing changed.

The command line runs in-process through ``guarded`` (what the console script runs), so each
case costs a parse and an open, not a Python start-up. The database every case points at is
made once; its bytes must be the same after each refused command.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tasktrail.runners.cli import app
from tasktrail.runners.cli.failures import guarded

SECRET = "S3CRETPW"


def tasktrail(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = guarded(app, list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def refused_in_one_line(
    capsys: pytest.CaptureFixture[str], code: int, *argv: str, names: str = ""
) -> str:
    found, out, err = tasktrail(capsys, *argv)
    assert (found, out) == (code, ""), err
    assert err.count("\n") == 1, err
    assert err.startswith("error: "), err
    assert SECRET not in err
    assert names in err
    return err


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with one VM (so one finished AddVm job) in it."""
    path = tmp_path_factory.mktemp("failures") / "made.db"
    assert guarded(app, ["--db", f"sqlite:///{path}", "vm", "add", "web1", "--disks", "1"]) == 0
    with sqlite3.connect(path) as connection:
        connection.execute("pragma wal_checkpoint(truncate)")
    return path


@pytest.fixture
def unchanged(made: Path) -> Iterator[str]:
    """The made database's URL; its file must be byte for byte the same afterwards."""
    before = digest(made)
    yield f"sqlite:///{made}"
    assert digest(made) == before


def test_urls_that_name_no_usable_database_are_bad_input_with_the_password_masked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    err = refused_in_one_line(capsys, 2, "--db", f"mysql://user:{SECRET}@host/db", "jobs")
    assert "mysql://user:***@host/db" in err
    refused_in_one_line(capsys, 2, "--db", "not a url", "jobs", names="bad database URL")


def test_an_unreachable_postgresql_is_exit_3_with_the_password_masked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"postgresql+psycopg2://user:{SECRET}@127.0.0.1:1/nowhere"
    refused_in_one_line(capsys, 3, "--db", url, "jobs", names="database unreachable")


def test_a_missing_folder_or_file_is_never_created(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing_folder = tmp_path / "no-such-folder" / "t.db"
    for argv in (["vm", "add", "web2"], ["jobs"]):
        refused_in_one_line(capsys, 3, "--db", f"sqlite:///{missing_folder}", *argv)
    refused_in_one_line(capsys, 3, "--db", f"sqlite:///{tmp_path / 'typo.db'}", "jobs")
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_is_not_a_database_is_exit_3_and_left_as_it_was(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n" * 100)
    for argv in (["jobs"], ["vm", "add", "web3"], ["projections", "rebuild"]):
        refused_in_one_line(capsys, 3, "--db", f"sqlite:///{notes}", *argv, names="not a database")
    assert notes.read_text() == "not a database\n" * 100


@pytest.mark.parametrize(
    ("argv", "names"),
    [
        (["history", "--offset", "1e20"], "--offset"),
        (["history", "--offset", str(10**20)], "--offset"),
        (["history", "--since", "yesterday"], "yesterday"),
        (["job", "not-a-uuid"], "not-a-uuid"),
        (["no-such-command"], "no-such-command"),
        (["run", "RemoveVm", "--param", "novalue"], "novalue"),
    ],
)
def test_bad_usage_is_exit_2_in_one_line(
    capsys: pytest.CaptureFixture[str], unchanged: str, argv: list[str], names: str
) -> None:
    refused_in_one_line(capsys, 2, "--db", unchanged, *argv, names=names)


@pytest.mark.parametrize(
    ("variable", "value"),
    [("TASKTRAIL_POLL_INTERVAL", "abc"), ("TASKTRAIL_BATCH_SIZE", "0"), ("TASKTRAIL_DB", "x")],
)
def test_bad_environment_variables_are_named(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    unchanged: str,
    variable: str,
    value: str,
) -> None:
    monkeypatch.setenv("TASKTRAIL_DB", unchanged)
    monkeypatch.setenv(variable, value)
    names = variable if variable != "TASKTRAIL_DB" else "bad database URL"
    refused_in_one_line(capsys, 2, "jobs", names=names)


def test_debug_lets_the_traceback_through(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database")
    with pytest.raises(sa.exc.DatabaseError):
        guarded(app, ["--db", f"sqlite:///{notes}", "--debug", "vm", "add", "x"])
    monkeypatch.setenv("TASKTRAIL_DEBUG", "1")
    with pytest.raises(sa.exc.DatabaseError):
        guarded(app, ["--db", f"sqlite:///{notes}", "jobs"])


def test_a_read_only_copy_is_read_and_not_written(
    capsys: pytest.CaptureFixture[str], made: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    copy = archive / "copy.db"
    copy.write_bytes(made.read_bytes())
    copy.chmod(0o444)
    archive.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        code, out, err = tasktrail(capsys, "--db", f"sqlite:///{copy}", "jobs", "--json")
        assert (code, err) == (0, "")
        assert '"AddVm"' in out
        code, out, _ = tasktrail(capsys, "--db", f"sqlite:///{copy}", "history", "--json")
        assert code == 0
        assert "Created" in out
        assert sorted(os.listdir(archive)) == ["copy.db"]
    finally:
        archive.chmod(0o755)
    code, out, _ = tasktrail(capsys, "--db", f"sqlite:///{copy}", "failed", "--json")
    assert (code, out) == (0, "[]\n")
    assert copy.read_bytes() == made.read_bytes()
