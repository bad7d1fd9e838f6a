"""The team's saved templates: the list a message is started from, and its buttons."""
