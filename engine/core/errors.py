"""Exceptions the engine raises: bad input the user can fix, and a cancelled run."""


class EngineInputError(ValueError):
    """A sentence or parameter the engine cannot run; the message says what to change."""


class ConfigError(EngineInputError):
    """A configuration value outside its documented range.

    `field` names the SimConfig field and `problem` says what is wrong with it, so the command
    line can name its flag and the GUI can show the message beside the right widget.
    """

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field} {problem}")
        self.field = field
        self.problem = problem


class RunCancelled(Exception):
    """Raised between timesteps when the run's cancel token was set."""
