"""Answers: active retrieval, the chat agent, citations and the offline reader."""

# The longest question the assistant takes: the command line's ``ask`` and the MCP
# tool's schema and check (this package's init imports nothing, so the MCP protocol
# may read it before the store is loaded).
MAX_QUESTION_CHARS = 4000
