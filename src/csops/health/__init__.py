"""Health: point-in-time features, the churn model, the scorecard, explanations,
backtests and the renewal forecast (see docs/health.md)."""
