"""The cost lab: sequential against parallel cost, measured over sentence lengths and compared
with Table 1 of the reference text."""
