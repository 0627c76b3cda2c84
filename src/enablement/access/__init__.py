"""Who may do what: API keys with roles, and the short-lived embed tokens minted from them."""
