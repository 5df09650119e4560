"""Reports: sections contributed by the department's specialists, rendered as HTML,
Markdown or JSON."""
