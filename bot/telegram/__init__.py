"""The Telegram side every conversation shares: Bot API calls paced to Telegram's limits and
routed to forum topics, conversation state kept in SQLite, the card-in-place dialog machinery,
button presses answered once, and bounded numbers in button data."""
