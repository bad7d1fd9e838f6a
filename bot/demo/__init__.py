"""`python -m bot demo`: the real program with a Telegram emulator and a chat page in the browser."""
