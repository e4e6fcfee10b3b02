"""Two runs side by side: aligned by role and by each role's order, and where they part.

The left run gives the order (for a what-if, the would-be run; for ``diff A B``, A): the first
divergence is the first left decision whose counterpart on the right differs or is missing;
if every left decision is matched, the first right decision with no counterpart on the left.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tasktrail.projections.roles import Decision

Slot = tuple[str, int]


@dataclass(frozen=True)
class Divergence:
    """Where two runs first decided differently, and why (in words)."""

    role: str
    index: int
    left: Decision | None
    right: Decision | None
    why: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "event_number": self.index + 1,
            "left": _side(self.left),
            "right": _side(self.right),
            "why": self.why,
        }


def _side(decision: Decision | None) -> dict[str, Any] | None:
    if decision is None:
        return None
    return {"event": decision.event, "to_state": decision.to_state, "detail": decision.detail}


def _slots(run: list[Decision]) -> dict[Slot, Decision]:
    return {(d.role, d.index): d for d in run}


def first_divergence(
    left: list[Decision], right: list[Decision], names: tuple[str, str] = ("left", "right")
) -> Divergence | None:
    """The first decision, in the left run's order, that the right run did not make alike."""
    on_left, on_right = _slots(left), _slots(right)
    for decision in left:
        other = on_right.get((decision.role, decision.index))
        if other is None or other.key != decision.key:
            return _diverged(decision, other, names)
    for decision in right:
        if (decision.role, decision.index) not in on_left:
            return _diverged(None, decision, names)
    return None


def _diverged(left: Decision | None, right: Decision | None, names: tuple[str, str]) -> Divergence:
    either = left or right
    assert either is not None
    return Divergence(either.role, either.index, left, right, _why(left, right, names))


def _why(left: Decision | None, right: Decision | None, names: tuple[str, str]) -> str:
    first, second = names
    at = f"{(left or right).role} event {(left or right).index + 1}"  # type: ignore[union-attr]
    if right is None:
        return f"{at}: {first} records {left.label}, {second} nothing"  # type: ignore[union-attr]
    if left is None:
        return f"{at}: {first} records nothing, {second} {right.label}"
    if (left.event, left.to_state) != (right.event, right.to_state):
        return f"{at}: {first} records {left.label}, {second} {right.label}"
    fields = sorted(
        k for k in {*left.detail, *right.detail} if left.detail.get(k) != right.detail.get(k)
    )
    changes = "; ".join(
        f"{k}: {left.detail.get(k)!r} against {right.detail.get(k)!r}" for k in fields
    )
    return f"{at} ({left.label}) differs in {changes}"


def side_by_side(left: list[Decision], right: list[Decision]) -> list[dict[str, Any]]:
    """Every slot of either run, in the left run's order (right-only slots after their role's
    last left slot), each with both sides' decision and whether they agree."""
    on_left, on_right = _slots(left), _slots(right)
    order: list[Slot] = [(d.role, d.index) for d in left]
    for decision in right:
        slot = (decision.role, decision.index)
        if slot not in on_left:
            order.insert(_after_role(order, decision.role), slot)
    return [_row(slot, on_left.get(slot), on_right.get(slot)) for slot in order]


def _after_role(order: list[Slot], role: str) -> int:
    last = [i for i, (r, _) in enumerate(order) if r == role]
    return last[-1] + 1 if last else len(order)


def _row(slot: Slot, left: Decision | None, right: Decision | None) -> dict[str, Any]:
    same = left is not None and right is not None and left.key == right.key
    return {
        "role": slot[0],
        "event_number": slot[1] + 1,
        "left": left.label if left else "",
        "right": right.label if right else "",
        "same": same,
    }
