"""The model: aggregates, their state machines, events and errors.

Pure: the standard library, ``eventsourcing.domain``, ``transitions`` and pydantic only. Nothing
here reads a clock, opens a file or talks to a database; services hand it a ``Cause``.
"""
