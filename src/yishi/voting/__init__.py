"""Step 3, vote: rules, ballots, live tally."""
