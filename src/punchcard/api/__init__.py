"""HTTP faces. Each face parses its dialect, calls services, renders in its dialect."""
