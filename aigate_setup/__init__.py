"""aigate-setup: connect coding agents to the AIGate API gateway."""

__version__ = "0.1.0"
