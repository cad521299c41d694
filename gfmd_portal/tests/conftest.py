"""The access matrix's fixtures (the loaded programme, the objects every route opens, a shared
request handler) for the other whole-site tests of this folder."""

import pytest
from django.test import Client

from gfmd_portal.tests.test_access_matrix import _handler, programme, world  # noqa: F401


@pytest.fixture
def matrix_client(_handler):  # noqa: F811 - the imported fixture, asked for by name
    """A new client (no cookies) for each test, sharing the matrix's request handler."""
    client = Client()
    client.handler = _handler
    return client
