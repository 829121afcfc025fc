"""Importers: one code path for the management commands and the admin's import pages."""
