"""Onboarding: the journey as configuration, progress per account, weekly activation cohorts
and next-step proposals."""
