"""Places and households: community ⊃ compound ⊃ building ⊃ household, CSV roster."""
