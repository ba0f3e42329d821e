"""Screen capture: frames, the change gate, window and privacy filters. No Qt here."""
