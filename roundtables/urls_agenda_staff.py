"""Agenda curation for co-chair staff (under /staff/: the second factor is required first).

Included by roundtables/urls.py (namespace "roundtables").
"""

urlpatterns = []
