"""Exceptions the engine raises: bad input the user can fix, and a cancelled run."""


class EngineInputError(ValueError):
    """A sentence or parameter the engine cannot run; the message says what to change."""


class ConfigError(EngineInputError):
    """A configuration value outside its documented range."""


class RunCancelled(Exception):
    """Raised between timesteps when the run's cancel token was set."""
