"""The marketer's audit: what content is used, what is stale or missing, and what it is worth."""
