"""Configuration: folders, settings (validated at load), secrets, model endpoints."""
