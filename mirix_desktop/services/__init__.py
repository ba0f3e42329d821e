"""What commands and the interface share: the context, the runtime, the library (backend),
data moves, doctor, the MCP server and start at login."""
