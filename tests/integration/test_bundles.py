"""Incident bundles at the edge: every bad bundle refused whole before anything is written.

One source database is made once: a VM (a finished AddVm job) and a RemoveVm recorded but
not executed (in flight). Their bundles are exported once; each case changes a copy of the
text and imports it through the command line, which must answer with one line and its exit
code and leave the target as it was (SQLite: no file made, or the same bytes).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tasktrail.runners.bundle_format import BundledEvent, events_digest
from tasktrail.runners.cli import app
from tasktrail.runners.cli.failures import guarded

Body = dict[str, Any]
INCIDENT = Path(__file__).parent.parent / "incidents"


@dataclass(frozen=True)
class Source:
    url: str
    finished_job: str
    in_flight_job: str
    finished: str
    """The finished job's bundle, as exported."""
    in_flight: str


def tasktrail(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = guarded(app, list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def as_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code, out, err = tasktrail(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Source:
    folder = tmp_path_factory.mktemp("bundles")
    url = f"sqlite:///{folder / 'source.db'}"
    made = json.loads(_run(url, "vm", "add", "web1", "--disks", "2", "--json"))
    removal = json.loads(
        _run(url, "run", "RemoveVm", "--param", f"vm_id={made['vm_id']}", "--json")
    )
    finished = json.loads(_run(url, "jobs", "--json"))[0]["job_id"]
    return Source(
        url,
        finished,
        removal["job_id"],
        _run(url, "export", finished, "-"),
        _run(url, "export", removal["job_id"], "-"),
    )


def _run(url: str, *argv: str) -> str:
    """Runs a command that must succeed; its standard output (captured around pytest's)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert guarded(app, ["--db", url, *argv]) == 0
    return out.getvalue()


def resealed(body: Body) -> str:
    """The body with its count and digest made to fit its (changed) events again."""
    events = [BundledEvent.model_validate(e) for e in body["events"]]
    return json.dumps({**body, "count": len(events), "digest": events_digest(events)})


def event_state(event: Body) -> Body:
    state: Body = json.loads(base64.b64decode(event["state"]))
    return state


def corrupt_state(body: Body) -> str:
    body["events"][5]["state"] = base64.b64encode(b'{"from_state": 7').decode()
    return resealed(body)


def foreign_topic(body: Body) -> str:
    body["events"][3]["topic"] = "this:x"
    return resealed(body)


def negative_version(body: Body) -> str:
    body["events"][2]["originator_version"] = -1
    return json.dumps(body)


def gap(body: Body) -> str:
    first = body["events"][0]["originator_id"]
    stream = [e for e in body["events"] if e["originator_id"] == first]
    stream[-1]["originator_version"] += 1
    return resealed(body)


def duplicate(body: Body) -> str:
    body["events"].insert(4, dict(body["events"][3]))
    for position, event in enumerate(body["events"], start=1):
        event["position"] = position
    return resealed(body)


def swapped_topics(body: Body) -> str:
    events = body["events"]
    kinds = {e["topic"].partition(".")[0]: i for i, e in enumerate(events)}
    a, b = list(kinds.values())[:2]
    events[a]["topic"], events[b]["topic"] = events[b]["topic"], events[a]["topic"]
    return resealed(body)


def cut(body: Body) -> str:
    body["events"] = body["events"][:10]
    return json.dumps(body)


def changed_without_digest(body: Body) -> str:
    body["events"][1]["position"] += 1000
    return json.dumps(body)


def cut_text(body: Body) -> str:
    return json.dumps(body)[:5000]


def a_list(body: Body) -> str:
    return json.dumps(body["events"])


def missing_key(body: Body) -> str:
    del body["events"][0]["topic"]
    return json.dumps(body)


def unknown_job(body: Body) -> str:
    body["job_id"] = "00000000-0000-0000-0000-000000000000"
    return json.dumps(body)


Change = Callable[[Body], str]


@pytest.mark.parametrize(
    ("change", "names"),
    [
        (corrupt_state, "event 5 cannot be read"),
        (foreign_topic, "event 3 cannot be read: 'this:x' is not a tasktrail event"),
        (negative_version, "events.2.originator_version"),
        (gap, "expected"),
        (duplicate, "version"),
        (swapped_topics, "event"),
        (cut, "declares"),
        (changed_without_digest, "digest"),
        (cut_text, "Invalid JSON"),
        (a_list, "the bundle: Input should be an object"),
        (missing_key, "events.0.topic"),
        (unknown_job, "has no events"),
    ],
)
def test_a_bad_bundle_is_refused_in_one_line_and_nothing_is_written(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    source: Source,
    change: Change,
    names: str,
) -> None:
    sys.modules.pop("this", None)
    bundle = tmp_path / "bad.json"
    bundle.write_text(change(json.loads(source.finished)))
    target = tmp_path / "copy.db"
    code, out, err = tasktrail(capsys, "--db", f"sqlite:///{target}", "import", str(bundle))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1, err
    assert names in err
    assert not target.exists()
    assert "this" not in sys.modules


def test_into_a_database_that_holds_events_is_refused_and_leaves_it_as_it_was(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, source: Source
) -> None:
    bundle = tmp_path / "good.json"
    bundle.write_text(source.finished)
    source_file = Path(sa.make_url(source.url).database or "")
    before = _settled_digest(source_file)
    code, _, err = tasktrail(capsys, "--db", source.url, "import", str(bundle))
    assert code == 1
    assert "holds events already" in err
    assert _settled_digest(source_file) == before


def _settled_digest(database: Path) -> str:
    """The file's digest once its write-ahead log is checkpointed into it: what an earlier
    test's last connection left in the log must not count as a change made by this one."""
    with contextlib.closing(sqlite3.connect(database)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return hashlib.sha256(database.read_bytes()).hexdigest()


@pytest.mark.postgres
def test_a_bad_bundle_writes_nothing_into_postgresql(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, source: Source, pg_url: str
) -> None:
    bundle = tmp_path / "bad.json"
    bundle.write_text(corrupt_state(json.loads(source.finished)))
    assert tasktrail(capsys, "--db", pg_url, "import", str(bundle))[0] == 2
    engine = sa.create_engine(pg_url)
    with engine.connect() as connection:
        assert not sa.inspect(connection).has_table("tasktrail_events")
    engine.dispose()


def test_an_import_keeps_the_log_order_and_the_digest_chain(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, source: Source
) -> None:
    bundle = tmp_path / "good.json"
    bundle.write_text(source.finished)
    url = f"sqlite:///{tmp_path / 'copy.db'}"
    assert tasktrail(capsys, "--db", url, "import", str(bundle))[0] == 0
    history = as_json_lines(capsys, "--db", url, "history")
    stamps = [row["timestamp"] for row in history]
    assert stamps == sorted(stamps)
    assert tasktrail(capsys, "--db", url, "verify-log")[0] == 0
    again = json.loads(_run(url, "export", source.finished_job, "-"))
    original = json.loads(source.finished)
    assert [_identity(e) for e in again["events"]] == [_identity(e) for e in original["events"]]


def as_json_lines(capsys: pytest.CaptureFixture[str], *argv: str) -> list[Body]:
    code, out, err = tasktrail(capsys, *argv, "--json")
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()]


def _identity(event: Body) -> tuple[str, int, str, str]:
    return event["originator_id"], event["originator_version"], event["topic"], event["state"]


def test_a_format_1_bundle_is_imported_in_its_events_time_order(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    [incident] = sorted(INCIDENT.glob("*3f572d49*.json"))
    url = f"sqlite:///{tmp_path / 'incident.db'}"
    assert tasktrail(capsys, "--db", url, "import", str(incident))[0] == 0
    stamps = [row["timestamp"] for row in as_json_lines(capsys, "--db", url, "history")]
    assert stamps == sorted(stamps)


def test_imported_in_flight_work_waits_for_resume(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    source: Source,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TASKTRAIL_SPM_TASK_SECONDS", "0")
    monkeypatch.setenv("TASKTRAIL_POLL_INTERVAL", "0.01")
    bundle = tmp_path / "in-flight.json"
    bundle.write_text(source.in_flight)
    archive, resumed = (f"sqlite:///{tmp_path / name}" for name in ("archive.db", "resumed.db"))
    assert tasktrail(capsys, "--db", archive, "import", str(bundle))[0] == 0
    code, _, err = tasktrail(capsys, "--db", archive, "serve", "--until-idle")
    assert code == 1
    assert "archive" in err
    code, _, err = tasktrail(capsys, "--db", archive, "vm", "add", "web9")
    assert (code, err.count("\n")) == (1, 1)
    assert "archive" in err
    job = as_json(capsys, "--db", archive, "job", source.in_flight_job)
    assert job["status"] == "STARTED"
    assert tasktrail(capsys, "--db", resumed, "import", str(bundle), "--resume")[0] == 0
    assert tasktrail(capsys, "--db", resumed, "serve", "--until-idle")[0] == 0
    ended = as_json(capsys, "--db", resumed, "job", source.in_flight_job)
    assert ended["status"] == "FINISHED", json.dumps(ended)[-1500:]


def test_export_never_overwrites_unasked_and_writes_whole_or_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, source: Source
) -> None:
    target = tmp_path / "kept.json"
    target.write_text("keep me")
    job = source.finished_job
    code, _, err = tasktrail(capsys, "--db", source.url, "export", job, str(target))
    assert code == 2
    assert "--force" in err
    assert target.read_text() == "keep me"
    assert tasktrail(capsys, "--db", source.url, "export", job, str(target), "--force")[0] == 0
    assert json.loads(target.read_text()) == json.loads(source.finished)
    for where in (tmp_path / "no-such-folder" / "b.json", Path("/dev/full")):
        code, out, err = tasktrail(capsys, "--db", source.url, "export", job, str(where))
        assert (code, out, err.count("\n")) == (2, "", 1), err
        assert "cannot write" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.json"]


def test_a_bundle_is_read_from_standard_input(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    source: Source,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(source.finished.encode())))
    url = f"sqlite:///{tmp_path / 'piped.db'}"
    code, _, err = tasktrail(capsys, "--db", url, "import", "-")
    assert code == 0, err
    assert as_json(capsys, "--db", url, "job", source.finished_job)["status"] == "FINISHED"
