"""Command families of the CLI, one module each; ``scheduler.cli`` adds their commands to its group."""
