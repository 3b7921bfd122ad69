"""What every page shares: templates, languages, errors, health."""
