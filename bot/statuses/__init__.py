"""Delivery statuses: the signed callback endpoint and its writer, the cards that show progress, /status history, the report file, charts and the periodic digest."""
