"""The labs' windows: each views the results of one engine lab (engine/labs/) and runs its work
through gui/jobs.py."""
