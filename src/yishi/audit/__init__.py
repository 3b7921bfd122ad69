"""The audit history: who changed what, when. Kept with ballots and minutes."""
