"""The RemoveVm-3 shape in OpenStack TaskFlow with SQLite persistence: a linear flow (the parent)
holding an unordered flow (the child) of three tasks that each poll an external task.
Run by the peers' virtualenv; prints JSON."""

from __future__ import annotations

import contextlib
import json
import sys
import tempfile
import time
from pathlib import Path

from taskflow import engines, task
from taskflow.patterns import linear_flow, unordered_flow
from taskflow.persistence import backends, models

COUNT = int(sys.argv[1])


class PollExternalTask(task.Task):
    def execute(self) -> str:
        return f"finished:{self.name}"


def remove_vm_flow() -> linear_flow.Flow:
    images = unordered_flow.Flow("remove-all-vm-images").add(
        *(PollExternalTask(name=f"remove-image-{disk}") for disk in range(3))
    )
    return linear_flow.Flow("remove-vm").add(images)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        backend = backends.fetch({"connection": f"sqlite:///{Path(folder) / 'taskflow.db'}"})
        with contextlib.closing(backend.get_connection()) as connection:
            connection.upgrade()
        start = time.perf_counter()
        for number in range(COUNT):
            book = models.LogBook(f"remove-vm-{number}")
            flow_detail = models.FlowDetail(f"remove-vm-{number}", uuid=f"{number:032x}")
            book.add(flow_detail)
            with contextlib.closing(backend.get_connection()) as connection:
                connection.save_logbook(book)
            engine = engines.load(
                remove_vm_flow(), flow_detail=flow_detail, book=book, backend=backend
            )
            engine.run()
        elapsed = time.perf_counter() - start
    print(json.dumps({"commands_per_second": COUNT / elapsed}))


if __name__ == "__main__":
    main()
