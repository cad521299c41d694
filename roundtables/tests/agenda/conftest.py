import pytest

from roundtables.tests.agenda.readers import require_node


@pytest.fixture
def node_readers(request):
    """The ical.js and node-ical readers are there (tests marked ``node``)."""
    require_node(request)
