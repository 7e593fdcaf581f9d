"""Labs: sweeps and experiments beyond one sentence, each a subpackage of plain functions that a
gui window and a headless mode both call."""
