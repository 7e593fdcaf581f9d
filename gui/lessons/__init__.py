"""Lessons: guided walks through the reference text, stored as data in resources/lessons/ and
applied to the window's state one step at a time."""
