"""Contributions to round tables (statements and recommendations), their moderation by staff, and
the rapporteurs' reports of sessions."""
