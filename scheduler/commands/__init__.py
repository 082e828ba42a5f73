"""Command families of the CLI, one module each; every module adds its commands to ``scheduler.cli.main``."""
