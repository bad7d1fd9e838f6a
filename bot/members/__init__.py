"""The team: granting and revoking roles, strangers' requests for access, and how members are named in every text."""
