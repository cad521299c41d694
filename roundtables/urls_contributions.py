"""Contributions to round tables, their moderation, and rapporteurs' reports.

Included by roundtables/urls.py (namespace "roundtables").
"""

urlpatterns = []
