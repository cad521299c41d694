"""The access matrix's fixtures (the loaded programme, the objects every route opens, a shared
request handler) for the other whole-site tests of this folder."""

from gfmd_portal.tests.test_access_matrix import _handler, client, programme, world  # noqa: F401
