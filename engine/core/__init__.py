"""What every part of the engine shares: the run's configuration, tokens, the recorded Trace and
the counted cost it holds, errors, cancellation and progress, timing, seeding, input validation
and safe file writing and reading."""
