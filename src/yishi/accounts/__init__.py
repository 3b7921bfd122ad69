"""Staff accounts, roles scoped to places, sessions, and households' personal links."""
