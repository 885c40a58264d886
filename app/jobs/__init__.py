"""Background jobs: mail and webhooks queued in the database, delivered by a worker."""
