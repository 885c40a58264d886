"""Administering accounts: the user list and role changes."""
