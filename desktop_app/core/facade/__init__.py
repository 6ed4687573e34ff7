"""The parts the ``Library`` facade is composed of, one concern per module."""
