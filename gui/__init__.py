"""The desktop app: PySide6 + pyqtgraph views over one shared Timeline and token selection."""
