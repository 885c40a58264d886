"""Customer surveys: NPS (0–10 and why) and CSAT (after a solved topic or a helpful article)."""
