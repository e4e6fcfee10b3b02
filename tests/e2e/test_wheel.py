"""The package as a user installs it: a wheel built from the repository, installed with its
dependencies into an empty virtualenv, holds only ``tasktrail`` and its console script, and the
README's tour runs as written against that installation (``readme_tour.py``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOUR = Path(__file__).with_name("readme_tour.py")


def installed(work: Path) -> Path:
    """An empty virtualenv with the wheel of this checkout installed, as ``pip install`` does."""
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", work / "dist"]
    subprocess.run([*pip_wheel, ROOT], check=True, capture_output=True)
    made = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", made], check=True)
    wheel = next((work / "dist").glob("tasktrail-*.whl"))
    subprocess.run([made / "bin" / "pip", "install", "-q", wheel], check=True, capture_output=True)
    return made


def _python(venv: Path, code: str) -> str:
    done = subprocess.run(
        [venv / "bin" / "python", "-c", code], check=False, capture_output=True, text=True, cwd=venv
    )
    return done.stdout + done.stderr


def test_the_wheel_installs_one_package_whose_script_runs_the_readme_tour(tmp_path: Path) -> None:
    """One test, so that the virtualenv is built once however the suite is spread over workers."""
    venv = installed(tmp_path)
    only_tasktrail_and_its_script(venv)
    the_console_script_runs(venv)
    the_readme_tour_runs_as_written(venv, tmp_path / "tour")


def only_tasktrail_and_its_script(venv: Path) -> None:
    files = _python(venv, "import importlib.metadata as m; print(*m.files('tasktrail'))").split()
    scripts = {Path(f).name for f in files if f.startswith("..")}
    assert {f.split("/")[0] for f in files if not f.startswith("..")} == {
        "tasktrail",
        "tasktrail-0.1.0.dist-info",
    }
    assert scripts == {"tasktrail"}
    for stray in ("domain", "projections", "runners", "bench", "tests"):
        assert "ModuleNotFoundError" in _python(venv, f"import {stray}"), stray


def the_console_script_runs(venv: Path) -> None:
    shown = subprocess.run(
        [venv / "bin" / "tasktrail", "--version"], capture_output=True, text=True, check=True
    )
    assert shown.stdout.strip() == "tasktrail 0.1.0"


def the_readme_tour_runs_as_written(venv: Path, folder: Path) -> None:
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "TASKTRAIL_DB"}
    env |= {"COLUMNS": "80", "TASKTRAIL_SPM_TASK_SECONDS": "0", "TASKTRAIL_POLL_INTERVAL": "0.01"}
    done = subprocess.run(
        [venv / "bin" / "python", TOUR, ROOT / "README.md"],
        check=False,
        capture_output=True,
        text=True,
        cwd=folder,
        env=env,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert lines[0]["package"].startswith(str(venv)), lines[0]
    ran = {word for line in lines[1:] for word in line["args"]}
    assert {"demo", "why", "run", "serve", "history", "replay", "export", "import"} <= ran


def test_every_folder_of_the_three_layers_is_a_listed_package() -> None:
    listed = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    folders = {
        "tasktrail." + ".".join(p.relative_to(ROOT).parent.parts)
        for layer in ("domain", "projections", "runners")
        for p in (ROOT / layer).rglob("__init__.py")
    }
    assert folders <= set(listed)
    assert all((ROOT / Path(*name.split(".")[1:])).is_dir() for name in listed)
