"""Site search: keeping the index in step with the database, search pages, events."""
