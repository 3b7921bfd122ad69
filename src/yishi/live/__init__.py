"""Live updates: a change published on any worker reaches open screens on every
worker within a second, over Server-Sent Events."""
