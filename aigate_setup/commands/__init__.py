"""One module per command. Each `run(options)` returns a typed result and prints nothing; the
CLI renders the result (text or JSON) and turns it into an exit code."""
