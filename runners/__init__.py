"""Everything that runs: the store opened from a URL, executor, pollers, recovery, CLI."""
