"""Delivery statuses: the signed callback endpoint and its writer, the tracker that finishes a
campaign once every row is final or its TTL has passed, the cards that show progress, /status
history, the report file with its costs, charts and the periodic digest."""
