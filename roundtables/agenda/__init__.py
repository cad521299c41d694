"""The agenda: sessions, the people with roles and the running order, staff curation and the checks
shown while they edit, the read model that the public pages, calendar feeds, printable programme and
API share, and those pages themselves."""
