"""Step 2, deliberate (民主议事): meetings, agenda, notice, sign-in, positions, options."""
