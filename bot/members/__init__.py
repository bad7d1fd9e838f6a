"""The team: granting and revoking roles, and strangers' requests for access."""
