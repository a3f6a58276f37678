"""Sound out: the timeline rendered to samples, written to files or handed to a device."""
