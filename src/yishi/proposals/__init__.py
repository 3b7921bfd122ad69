"""Step 1, propose (民主提议): residents and staff raise topics, households second them."""
