"""Tracked links: short links per recipient in a text, and the redirect endpoint that counts clicks."""
