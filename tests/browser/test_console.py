"""The web console in headless Chromium: a failing RemoveVm watched live on its timeline, the
failed step's command history with the version slider, verify; the jobs list kept current by
the stream; refusals; and a read-only user, who sees no run controls."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import httpx

from tests.browser.conftest import ADMIN, VIEWER, Console


def reaches_now(page: Any, row: str) -> bool:
    """The row's bar ends where the time scale ends: now, while the job runs."""
    ends: list[float] = page.eval_on_selector(
        row,
        "row => [row.querySelector('.bar'), row.querySelector('.track')]"
        ".map(e => e.getBoundingClientRect().right)",
    )
    return abs(ends[0] - ends[1]) < 2


def test_a_failing_remove_vm_is_watched_live_then_its_failed_command_is_replayed(
    console: Console,
) -> None:
    vm = console.add_vm("doomed", disks=2)
    console.runtime.spm.inject_fault(UUID(vm["disk_ids"][1]), "delete")
    page = console.page()
    page.click("#nav a[href='#/run']")
    page.select_option("select[name=vm_id]", vm["vm_id"])
    page.fill("input[name=correlation_id]", "rm-doomed")
    page.click("form.run button")
    page.wait_for_url(re.compile(r"#/job/"))
    page.evaluate("window.stayed = true")
    running = "#timeline .row[data-type=DELETE_IMAGE][data-status=STARTED]"
    page.wait_for_selector(running)
    scale = page.inner_text("#timeline .axis span:last-child")
    page.wait_for_function(
        "scale => document.querySelector('#timeline .axis span:last-child').textContent !== scale",
        arg=scale,
    )
    assert reaches_now(page, running), "a running bar stops short of the scale's end (now)"
    console.finish_storage_tasks(2)
    page.wait_for_selector("h1 .badge.s-failed")
    assert page.evaluate("window.stayed"), "the page reloaded instead of updating itself"
    failed = "#timeline .row[data-type=DELETE_IMAGE][data-status=FAILED]"
    assert page.inner_text(f"{failed} .reason") == "Image deletion failed"
    assert "CHILD_COMMAND_FAILED" in page.inner_text("#timeline")
    page.screenshot(path=console.shots / "console-job.png")

    page.click(f"{failed} .links a:text('command')")
    page.wait_for_selector("#state[data-state=ENDED_WITH_FAILURE]")
    assert "RemoveImage" in page.inner_text("#state")
    page.fill("#version", "2")
    page.wait_for_selector("#state[data-version='2'][data-state=ACTIVE]")
    assert "NOT_STARTED → ACTIVE" in page.inner_text("#change")
    assert page.url.endswith("?v=2")
    page.screenshot(path=console.shots / "console-history.png")
    page.reload()
    page.wait_for_selector("#state[data-version='2'][data-state=ACTIVE]")
    position = page.get_attribute("tr[data-version='2'] a", "href")
    page.goto(f"{console.url}/{position}")
    page.wait_for_url(re.compile(r"\?v=2$"))

    page.click("#nav a[href='#/projections']")
    page.click("#verify")
    verdict = page.wait_for_selector("#projection-result p:not(.muted)", timeout=60_000)
    assert verdict.inner_text().startswith("No drift"), page.inner_text("#projection-result")
    page.click("#rebuild")
    rebuilt = page.wait_for_selector("#projection-result p.ok:text('Rebuilt')", timeout=60_000)
    applied = int(rebuilt.inner_text().split()[1])
    position = page.inner_text("#projection-status td:nth-child(2)")
    assert applied == int(position) > 0


def test_the_jobs_list_shows_new_jobs_and_their_ends_as_they_happen(console: Console) -> None:
    vm = console.add_vm("watched", disks=1)
    page = console.page()
    page.wait_for_selector("#jobs table, #jobs p")
    page.evaluate("window.stayed = true")
    body = {"action": "RemoveVm", "params": {"vm_id": vm["vm_id"]}, "correlation_id": "rm-watched"}
    with httpx.Client(base_url=console.url, auth=ADMIN) as http:
        job_id = http.post("/api/v1/commands", json=body).json()["job_id"]
    page.wait_for_selector(f"tr[data-job='{job_id}'] .badge.s-started")
    console.finish_storage_tasks(1)
    page.wait_for_selector(f"tr[data-job='{job_id}'] .badge.s-finished")
    assert page.evaluate("window.stayed")
    page.screenshot(path=console.shots / "console-jobs.png")
    page.select_option("select[name=status]", "FAILED")
    page.fill("input[name=action_type]", "RemoveVm")
    page.click("form.filters button")
    page.wait_for_selector(f"tr[data-job='{job_id}']", state="detached")
    assert "status=FAILED" in page.url
    assert set(page.locator("#jobs .badge").all_inner_texts()) <= {"FAILED"}
    page.goto(f"{console.url}/#/jobs?correlation_id=rm-watched")
    page.wait_for_selector(f"tr[data-job='{job_id}']")
    assert page.locator("#jobs tbody tr").count() == 1


def test_a_refusal_shows_ovirts_message_and_a_read_only_user_sees_no_run_controls(
    console: Console,
) -> None:
    running = console.add_vm("running", disks=1, status="Up")
    page = console.page()
    page.goto(f"{console.url}/#/run")
    page.select_option("select[name=vm_id]", running["vm_id"])
    page.click("form.run button")
    assert "ACTION_TYPE_FAILED_VM_IS_RUNNING" in page.inner_text("#run-result .problem")
    viewer = console.page(VIEWER, "#/run")
    viewer.wait_for_selector("text=for operators and admins")
    assert not viewer.is_visible("#nav a[href='#/run']")
    assert viewer.locator("form.run").count() == 0
    viewer.goto(f"{console.url}/#/projections")
    viewer.wait_for_selector("text=for admins")
    assert viewer.locator("#verify, #rebuild").count() == 0
    for path, heading in [
        ("failed", "Failed commands"),
        ("blocked", "Blocked"),
        ("locks", "Locks"),
    ]:
        viewer.goto(f"{console.url}/#/{path}")
        viewer.wait_for_selector(f"h1:text-is('{heading}')")
        viewer.wait_for_function(
            "page => performance.getEntriesByName('tasktrail:shown').some(m => m.detail === page)",
            arg=path,
        )
        assert viewer.locator(".problem").count() == 0


def test_the_page_and_its_scripts_are_served_without_credentials_and_hold_no_data(
    console: Console,
) -> None:
    with httpx.Client(base_url=console.url) as http:
        page = http.get("/")
        script = http.get("/console/js/app.js")
        assert http.get("/console/js/nothing.js").status_code == 404
        assert http.get("/api/v1/jobs").status_code == 401
    assert page.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/console/js/app.js">' in page.text
    assert script.headers["content-type"].startswith(("text/javascript", "application/javascript"))
