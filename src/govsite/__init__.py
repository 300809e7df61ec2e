"""govsite: supervise and score government websites; handle the public's messages."""

__version__ = "0.1.0"
