"""Local sourcing: find establishments (SIRENE directory and platform sites) by activity near a place."""
