"""Command groups of the `csops` CLI, one module per department area."""
