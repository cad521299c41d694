"""The ground floor: plumbing every app uses (outbox, page cache, CSV export, API helpers, cache
client, small HTTP helpers). It imports no app of the project; the apps tell it what concerns them."""
