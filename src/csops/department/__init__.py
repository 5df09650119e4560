"""The department's specialists."""
