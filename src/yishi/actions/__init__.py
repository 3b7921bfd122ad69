"""Step 4, implement (强化落实): actions that carry out adopted resolutions."""
