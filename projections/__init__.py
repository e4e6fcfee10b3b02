"""The read model: the oVirt tables, audit queries and replay, all built from events."""
