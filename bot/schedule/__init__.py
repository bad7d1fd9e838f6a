"""Timed sends: schedules kept in the database and fired exactly once, their cards, and times as people type and read them."""
