"""Screening evaluation (generated and published-alias sets) and the matcher speed benchmark."""
