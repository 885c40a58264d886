"""Insights: the first-party event log and what is computed from it."""
