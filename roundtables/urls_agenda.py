"""The public agenda: pages by day, room and round table, calendar feeds, the printable programme.

Included by roundtables/urls.py (namespace "roundtables").
"""

urlpatterns = []
