"""The one exception type a user can cause; the CLI turns it into a message and exit code 2."""


class AxgenError(Exception):
    """A problem with the user's input (model, config, project, tool): the message names it
    and says what is supported."""
