"""The live player: playback with controls, the keyboard, the session log."""
