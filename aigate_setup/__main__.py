from aigate_setup.cli import entry

entry()
