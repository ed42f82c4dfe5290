// Fuzz entry point: filled in with the IMAP command parser.
