"""The home pages: each signed-in person's start page, a compound's public page,
the health check and the language switch."""
