"""An engine lock on one key: exclusive against any lock, shared only against exclusive."""

from __future__ import annotations

from enum import StrEnum

from tasktrail.domain.model.machine import Row, TransitionTable


class LockState(StrEnum):
    FREE = "FREE"
    EXCLUSIVE = "EXCLUSIVE"
    SHARED = "SHARED"


S = LockState

LOCK_TABLE = TransitionTable(
    "EngineLock",
    LockState,
    initial=[S.EXCLUSIVE, S.SHARED],
    rows=[
        # Exclusive fails if any lock holds the key.
        Row(
            "acquire_exclusive",
            (S.FREE,),
            S.EXCLUSIVE,
            "ExclusiveAcquired",
            "a command took the key for itself",
        ),
        # Shared fails only if an exclusive lock holds the key; holders are counted.
        Row(
            "acquire_shared",
            (S.FREE, S.SHARED),
            S.SHARED,
            "SharedAcquired",
            "a command shares the key",
        ),
        Row("release_exclusive", (S.EXCLUSIVE,), S.FREE, "ExclusiveReleased", "its command ended"),
        Row(
            "release_shared", (S.SHARED,), None, "SharedReleased", "one sharer ended, others remain"
        ),
        Row(
            "release_last_shared",
            (S.SHARED,),
            S.FREE,
            "LastSharedReleased",
            "the last sharer ended",
        ),
    ],
)
