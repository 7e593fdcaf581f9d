"""The command line behind main.py: its options (made from the configs' field metadata) and the
headless modes, each in a module of its own."""
