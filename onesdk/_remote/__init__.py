"""The server half: the Alyx HTTP runtime, the REST repository, the tables a server publishes."""
