"""The committed state diagrams are exactly what the transition tables generate."""

from __future__ import annotations

import re

from tasktrail.runners import diagrams, flow_doc


def test_the_committed_state_diagrams_match_the_transition_tables() -> None:
    assert diagrams.TARGET.read_text() == diagrams.render(), (
        "run: python -m tasktrail.runners.diagrams"
    )


def test_every_row_of_every_table_is_drawn_by_transitions() -> None:
    for aggregate in diagrams.AGGREGATES:
        drawn = diagrams.mermaid(aggregate.TABLE)
        moves = [line for line in drawn.splitlines() if "-->" in line]
        for row in aggregate.TABLE.rows:
            for source in row.sources:
                dest = (row.dest or source).value
                pattern = rf"^\s*{source.value} --> {dest}: .*\b{row.trigger}\b"
                assert any(re.match(pattern, move) for move in moves), (aggregate, row)
        assert f"| `{aggregate.TABLE.rows[0].trigger}` |" in diagrams.rows_table(aggregate.TABLE)


def test_the_committed_remove_vm_flow_is_what_a_run_stores() -> None:
    assert flow_doc.TARGET.read_text() == flow_doc.render(), (
        "run: python -m tasktrail.runners.flow_doc"
    )
