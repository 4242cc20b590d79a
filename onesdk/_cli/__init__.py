"""The command line's subcommands, behind the thin parser in `onesdk.cli`."""
