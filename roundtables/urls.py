"""The forum programme's pages (namespace "roundtables"): each feature lists its own URLs, in this order."""

from roundtables.agenda import urls as agenda_urls
from roundtables.contributions import urls as contribution_urls
from roundtables.programme import urls as programme_urls
from roundtables.registration import urls as registration_urls

app_name = "roundtables"

urlpatterns = [
    # The home page, a forum's programme, a round table's page.
    *programme_urls.urlpatterns,
    # Registration for sessions: the participant's pages, their registrations, the staff's pages.
    *registration_urls.urlpatterns,
    # The agenda: public pages and feeds, then staff curation.
    *agenda_urls.urlpatterns,
    # Contributions, moderation, rapporteurs' reports.
    *contribution_urls.urlpatterns,
]
