"""The forum programme: forums, sub-themes, round tables and guiding questions; the loader of a
forum's data file; the public home, programme and round-table pages."""
