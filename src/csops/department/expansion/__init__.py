"""Account Expansion: point-in-time signals with evidence, likelihood, expected added ARR,
owners, talk tracks and hand-offs to Sales."""
