"""The exercise library: importing the Free Exercise DB, filters, new workouts."""
