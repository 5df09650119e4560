"""Support Ops: SLA policies and clocks, compliance, breach warnings, ticket triage."""
