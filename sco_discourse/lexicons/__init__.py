"""Package data: frame lexicons (YAML) and the stop-word list."""
