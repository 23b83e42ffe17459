"""Importers of files from partner systems (the police crime-screen export)."""
