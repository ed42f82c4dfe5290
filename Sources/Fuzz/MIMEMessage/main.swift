// Fuzz entry point: filled in with its parser.
