"""Composing a message: the wizard's rules and cards, recipient lists typed or uploaded, SMS parts, typography, media, what was left out and what it will cost."""
