"""How the CLI writes ids, times and oVirt's messages, and reads times back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID

from tasktrail.runners.cli.display import Display, json_time, short
from tasktrail.runners.cli.messages import sentence
from tasktrail.runners.cli.options import moment

ID = UUID("afaabdba-9179-41bb-86a8-4fc2c4c92ebc")
WHEN = datetime(2026, 11, 25, 0, 31, 39, 243533, tzinfo=UTC)


def test_a_prefix_keeps_the_dashes_among_its_digits() -> None:
    assert short(ID, 8) == "afaabdba"
    assert short(ID, 10) == "afaabdba-91"
    assert short(ID, 32) == str(ID)


def test_text_times_are_to_the_second_with_their_zone_and_json_times_are_utc() -> None:
    assert Display(utc=True).when(WHEN) == "2026-11-25T00:31:39Z"
    assert json_time(WHEN.astimezone(timezone(timedelta(hours=2)))) == (
        "2026-11-25T00:31:39.243533Z"
    )


def test_a_time_given_to_the_second_means_the_whole_second_when_asked() -> None:
    assert moment("2026-11-25T00:31:39Z") == WHEN.replace(microsecond=0)
    assert moment("2026-11-25T00:31:39Z", whole=True) == WHEN.replace(microsecond=999_999)
    assert moment("2026-11-25T00:31:39.243Z", whole=True) == WHEN.replace(microsecond=243_999)
    assert moment("2026-11-25T00:31:39.243533+00:00", whole=True) == WHEN


def test_ovirt_message_lists_read_as_sentences_with_no_template_left() -> None:
    locked = ["VAR__ACTION__REMOVE", "VAR__TYPE__VM", "ACTION_TYPE_FAILED_OBJECT_LOCKED"]
    assert sentence(locked) == (
        "Cannot remove VM. Related operation is currently in progress. Please try again later."
    )
    disks = ["ACTION_TYPE_FAILED_DISKS_LOCKED", "$diskAliases d1, d2", "VAR__TYPE__VM"]
    assert sentence(disks) == "Cannot do VM. Disks d1, d2 are locked."
    assert "$" not in sentence(["ACTION_TYPE_FAILED_DISKS_LOCKED"])
