"""``tasktrail why``: the whole story of a request in one screen, told from any of its ids.

What was asked and by whom, the step tree with why each failed step failed, the commands and
storage tasks that failed, what each VM and disk was left as ("VM removed, disk 2 left
ILLEGAL"), and what to do next.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import typer
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text

from tasktrail.domain.services.messages import Msg
from tasktrail.projections.story import Ending, Story, story
from tasktrail.runners.cli import context
from tasktrail.runners.cli import render as show
from tasktrail.runners.cli.display import Display, Namer
from tasktrail.runners.cli.messages import sentence
from tasktrail.runners.cli.options import IdText, JsonFlag, Utc, Wide


def why(
    ctx: typer.Context,
    asked: IdText,
    json_out: JsonFlag = False,
    _wide: Wide = False,
    _utc: Utc = False,
) -> None:
    """Why a request ended as it did: give its job, any of its commands, or a VM or disk."""
    runtime = context.refreshed(ctx)
    told = story(runtime.read_model, runtime.store, context.resolve(runtime, asked))
    if json_out:
        show.emit_json({**told.model_dump(), "left": left(told), "next": next_steps(told)})
        return
    display = context.display(ctx, runtime)
    show.console.print(telling(told, display, display.namer(_ids(told))))


def telling(told: Story, display: Display, name: Namer) -> RenderableType:
    """The story as text: five short sections."""
    parts: list[RenderableType] = [*_asked(told, display, name), ""]
    if told.job is not None:
        parts += [Text("What happened", style="bold"), show.job_tree(told.job, display), ""]
    parts += [Text("What failed", style="bold"), *map(_item, _failures(told, name)), ""]
    parts += [Text("What it left", style="bold"), *_endings(told, name)]
    parts += ["", Text("What to do next", style="bold"), *map(_item, next_steps(told, name))]
    return Group(*parts)


def _item(text: str) -> Padding:
    """A bullet whose wrapped lines stay indented under it."""
    return Padding(Text(f"- {text}"), (0, 0, 0, 2))


def _asked(told: Story, display: Display, name: Namer) -> list[RenderableType]:
    root = told.root
    ended = "ended " + display.when(root["ended_at"]) if root["ended_at"] else "not ended yet"
    params = ", ".join(f"{k}={_value(v, name)}" for k, v in root["parameters"].items())
    return [
        Text.assemble(
            (f"{root['command_type']}", "bold"), f"({params})  ", show.status_text(root["status"])
        ),
        f"  asked by {root['user_id']} at {display.when(root['created_at'])}, {ended}",
        f"  command {name(root['command_id'])}, correlation id {root['correlation_id']}"
        + (f", job {name(root['job_id'])}" if root["job_id"] else ""),
    ]


def _failures(told: Story, name: Namer) -> list[str]:
    lines = [
        f"{c['command_type']} {name(c['command_id'])}{_on(c, told, name)}: "
        f"{sentence(c['messages']) or 'no message'}"
        for c in told.failed
    ]
    lines += [_task(t, told, name) for t in told.tasks if _task_failed(t)]
    return lines or ["nothing failed"]


def _on(command: dict[str, Any], told: Story, name: Namer) -> str:
    disk = command["parameters"].get("disk_id")
    found = [e for e in told.entities if str(e.id) == disk]
    return f" on disk {found[0].name} ({name(found[0].id)})" if found else ""


def _task(task: Ending, told: Story, name: Namer) -> str:
    facts = task.facts
    disks = [e for e in told.entities if e.id == facts.get("entity_id")]
    on = f" on disk {disks[0].name}" if disks else ""
    return (
        f"storage task {name(task.id)} ({facts.get('task_type')}{on}): SPM reported "
        f"{facts.get('status')}, result {facts.get('result')}: {facts.get('error') or '-'}"
    )


def _task_failed(task: Ending) -> bool:
    return bool(task.facts.get("error")) or str(task.facts.get("result")) != "success"


def _endings(told: Story, name: Namer) -> list[str]:
    width = max((len(e.name) for e in told.entities), default=0)
    lines = [
        f"  {_kind(e):5} {e.name:{width}}  {name(e.id)}  {'removed' if e.removed else e.state}"
        for e in told.entities
    ]
    return [*lines, f"  => {left(told)}"]


def left(told: Story) -> str:
    """One line: "VM removed, disk 2 left ILLEGAL" (disks numbered from 1, as they were made)."""
    disks = [e for e in told.entities if e.kind == "Disk"]
    parts = [f"VM {_end(e)}" for e in told.entities if e.kind == "Vm"]
    removed = [str(n) for n, e in enumerate(disks, 1) if e.removed]
    if removed:
        parts.append(
            "every disk removed"
            if len(removed) == len(disks)
            else f"disk{'s' * (len(removed) > 1)} {', '.join(removed)} removed"
        )
    parts += [f"disk {n} {_end(e)}" for n, e in enumerate(disks, 1) if not e.removed]
    return ", ".join(parts) or "nothing touched"


def _end(ending: Ending) -> str:
    return "removed" if ending.removed else f"left {ending.state}"


def _kind(ending: Ending) -> str:
    return "VM" if ending.kind == "Vm" else ending.kind.lower()


def next_steps(told: Story, name: Namer = str) -> list[str]:
    """What an operator does now, from what the story ended with."""
    root, status = told.root, told.root["status"]
    if status == "NOT_STARTED":
        return ["it waits for an engine: start `tasktrail serve` (it runs it)"]
    if status not in {"ENDED_SUCCESSFULLY", "ENDED_WITH_FAILURE", "UNKNOWN"}:
        return [f"it is still running: `tasktrail blocked {name(root['command_id'])}` says on what"]
    if status == "ENDED_SUCCESSFULLY":
        return ["nothing: it ended successfully"]
    return [*_repairs(told, name), *_reading(told, name)]


def _repairs(told: Story, name: Namer) -> list[str]:
    found = [
        f"disk {e.name} ({name(e.id)}) is ILLEGAL: its image may still be on the storage; fix the "
        "storage first, then remove the disk again (in oVirt: Storage > Disks > Remove; "
        "tasktrail has no RemoveDisk)"
        for e in told.entities
        if e.kind == "Disk" and not e.removed and e.state == "ILLEGAL"
    ]
    if any(_task_failed(t) for t in told.tasks):
        found.append("the storage refused the work: look at the SPM's log for the task above")
    if any(m == Msg.OBJECT_LOCKED for m in told.root["messages"]):
        found.append("another command holds the lock: `tasktrail locks` names it")
    if not told.root["executed"]:
        found.append("it was refused before it ran: remove the cause above and run it again")
    return found


def _reading(told: Story, name: Namer) -> list[str]:
    root = told.root
    found = [f"every event: `tasktrail history --correlation-id {root['correlation_id']}`"]
    if root["job_id"] is not None:
        found.append(f"hand it over: `tasktrail export {name(root['job_id'])} incident.json`")
    return found


def _value(value: Any, name: Namer) -> str:
    try:
        return name(UUID(str(value)))
    except ValueError:
        return str(value)


def _ids(told: Story) -> list[UUID]:
    root = told.root
    found = [root["command_id"], *(c["command_id"] for c in told.failed)]
    found += [e.id for e in [*told.entities, *told.tasks]]
    return found + ([root["job_id"]] if root["job_id"] else [])
