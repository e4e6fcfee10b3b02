"""The tasktrail domain: aggregates, their state machines and the command framework.

Nothing here does I/O, reads a clock or starts a thread: clocks and ports are passed in.
"""
