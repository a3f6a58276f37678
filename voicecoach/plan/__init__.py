"""A coach across weeks: today's reps from the session log, and the week's plan."""
