"""The RemoveVm-3 shape in DBOS: a parent workflow, one child, three grandchildren that each poll
an external task (finished at the first poll). Run by the peers' virtualenv; prints JSON.

``dbos_remove_vm.py COUNT [URL] [IN_FLIGHT]``: COUNT workflows on the system database URL
(a temporary SQLite file when empty), started IN_FLIGHT at a time (default 1: one after
another) and each batch awaited before the next is started.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from dbos import DBOS

COUNT = int(sys.argv[1])
URL = sys.argv[2] if len(sys.argv) > 2 else ""
IN_FLIGHT = int(sys.argv[3]) if len(sys.argv) > 3 else 1


@DBOS.step()
def poll_external_task(disk: int) -> str:
    return f"finished:{disk}"


@DBOS.workflow()
def remove_image(disk: int) -> str:
    return poll_external_task(disk)


@DBOS.workflow()
def remove_all_vm_images() -> list[str]:
    handles = [DBOS.start_workflow(remove_image, disk) for disk in range(3)]
    return [handle.get_result() for handle in handles]


@DBOS.workflow()
def remove_vm() -> list[str]:
    return remove_all_vm_images()


def run_batch(size: int) -> None:
    if size == 1:
        assert len(remove_vm()) == 3
        return
    handles = [DBOS.start_workflow(remove_vm) for _ in range(size)]
    for handle in handles:
        assert len(handle.get_result()) == 3


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = URL or f"sqlite:///{Path(folder) / 'dbos.sqlite'}"
        DBOS(config={"name": "tasktrail-w5", "system_database_url": url})
        DBOS.launch()
        start = time.perf_counter()
        for done in range(0, COUNT, IN_FLIGHT):
            run_batch(min(IN_FLIGHT, COUNT - done))
        elapsed = time.perf_counter() - start
        DBOS.destroy()
    print(json.dumps({"commands_per_second": COUNT / elapsed}))


if __name__ == "__main__":
    main()
