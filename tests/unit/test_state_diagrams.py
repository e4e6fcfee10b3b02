"""The committed state diagrams are exactly what the transition tables generate."""

from __future__ import annotations

from runners import diagrams, flow_doc


def test_the_committed_state_diagrams_match_the_transition_tables() -> None:
    assert diagrams.TARGET.read_text() == diagrams.render(), "run: python -m runners.diagrams"


def test_every_row_of_every_table_is_drawn() -> None:
    text = diagrams.render()
    for aggregate in diagrams.AGGREGATES:
        for row in aggregate.TABLE.rows:
            assert f": {row.trigger}" in text
            assert f"| `{row.trigger}` |" in text


def test_the_committed_remove_vm_flow_is_what_a_run_stores() -> None:
    assert flow_doc.TARGET.read_text() == flow_doc.render(), "run: python -m runners.flow_doc"
