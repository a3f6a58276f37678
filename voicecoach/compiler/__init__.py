"""Compiling: a workout becomes a timeline of exactly timed prompts, and how it is shown."""
