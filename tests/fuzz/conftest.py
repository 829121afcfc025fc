"""Fixtures of the property tests; their strategies and helpers are in strategies.py."""
