"""Moderation: flags and the queue, hiding, locking, moving, suspending, and the log."""
