"""PDF documents in Chinese, each carrying a verification code (核验码)."""
