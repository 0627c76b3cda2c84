"""Usage events: what reps and buyers did with the assets, stored once per idempotency key."""
