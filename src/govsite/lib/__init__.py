"""Framework-free helpers shared by every part of govsite."""
