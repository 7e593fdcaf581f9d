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


class WeightsError(EngineInputError):
    """Model weights that do not fit the configuration (a missing, extra, misshapen or non-finite
    weight), or a weight file that cannot be read or written. `weight` names the weight at fault,
    or is "" when the problem is the file as a whole."""

    def __init__(self, message: str, weight: str = ""):
        super().__init__(message)
        self.weight = weight


class RunCancelled(Exception):
    """Raised between timesteps when the run's cancel token was set."""
