"""What is worked out from a run: gradient connectivity and the comparison report."""
