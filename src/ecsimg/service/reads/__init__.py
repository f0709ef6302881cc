"""Read models: what the TUI and the CLI show besides the API (rows, fees, costs, tasks)."""
