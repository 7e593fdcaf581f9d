"""Everything that leaves the app: images of plots and panels, animations, data and sessions."""
