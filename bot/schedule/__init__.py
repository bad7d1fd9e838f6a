"""Timed sends: schedules kept in the database and fired exactly once (service.py and its parts),
what they tell people (notices.py) and how that reads (cards.py), the Schedule and Reschedule
cards (time_cards.py, plan.py), and times as people type and read them (when.py, time_phrases.py)."""
