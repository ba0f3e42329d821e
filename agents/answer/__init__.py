"""Answers: active retrieval, the chat agent, citations and the offline reader."""
