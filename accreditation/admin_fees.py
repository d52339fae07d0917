"""Fee schedules (editable by the scheme administrator), payments and gateway events (read-only) in the admin."""
