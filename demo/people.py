"""Demo organisations, users and profiles.

``scale`` organisations of each constituency and ``scale`` people, each drawn from a generator of its
own (seed and row number), so that a larger scale keeps the rows of a smaller one. Names of people
and organisations are English, French or Spanish after their country (``data/people.yaml``,
``data/organisations.yaml``). Demo accounts are ``demo-<n>@example.org`` and cannot log in.
"""

from django.contrib.auth import get_user_model

from demo import tables
from demo.rows import existing_rows, row_rng, sync_rows
from stakeholders.models import Constituency, Organisation, Profile

DEMO_EMAIL_DOMAIN = "example.org"

_PEOPLE = tables.load("people")
_ORGANISATIONS = tables.load("organisations")

# {language: [(country code, [cities]), …]}
COUNTRIES = {
    language: [(code, cities) for code, cities in countries.items()]
    for language, countries in _PEOPLE["countries"].items()
}
LANGUAGE_OF_COUNTRY = {code: lang for lang, countries in COUNTRIES.items() for code, _cities in countries}
FIRST_NAMES = _PEOPLE["first_names"]
LAST_NAMES = _PEOPLE["last_names"]
POSITIONS = _PEOPLE["positions"]
DELEGATE_STATUSES = [
    (Profile.DelegateStatus.NONE, 12),
    (Profile.DelegateStatus.REQUESTED, 4),
    (Profile.DelegateStatus.VERIFIED, 3),
    (Profile.DelegateStatus.REJECTED, 1),
]
# Per constituency and language: (name templates, {placeholder: words}); {city}, {de_city}
# and {surname} are filled for every template.
ORGANISATION_PARTS = {
    constituency: {
        language: (parts["templates"], parts["words"]) for language, parts in _ORGANISATIONS[constituency].items()
    }
    for constituency in Constituency.values
}
UNIT_WORD = _ORGANISATIONS["unit_word"]


def _de(name):
    """French "de" with elision: de Lyon, d'Abidjan."""
    return f"d'{name}" if name[:1].lower() in "aeiouyéèêàâîïôh" else f"de {name}"


def _organisation(rng, constituency):
    lang = rng.choice(sorted(COUNTRIES))
    country, cities = rng.choice(COUNTRIES[lang])
    city = rng.choice(cities)
    templates, fillers = ORGANISATION_PARTS[constituency][lang]
    words = {placeholder: rng.choice(choices) for placeholder, choices in fillers.items()}
    name = rng.choice(templates).format(city=city, de_city=_de(city), surname=rng.choice(LAST_NAMES[lang]), **words)
    return lang, name, country


def organisation_rows(scale, seed):
    """{(name, country): {"constituency": …}}: ``scale`` organisations of each constituency; and
    {constituency: [(name, country), …]} in the order of their numbers."""
    rows, by_constituency = {}, {}
    for constituency in Constituency.values:
        keys = []
        for number in range(1, scale + 1):
            rng = row_rng(seed, "organisation", constituency, number)
            for _attempt in range(8):
                lang, name, country = _organisation(rng, constituency)
                if (name, country) not in rows:
                    break
            else:
                name = f"{name} – {UNIT_WORD[lang]} {number}"
            rows[(name, country)] = {"constituency": constituency}
            keys.append((name, country))
        by_constituency[constituency] = keys
    return rows, by_constituency


def _person(rng, number, organisation):
    lang = LANGUAGE_OF_COUNTRY.get(str(organisation.country), "en")
    return lang, {
        "first_name": rng.choice(FIRST_NAMES[lang]),
        "last_name": rng.choice(LAST_NAMES[lang]),
        "email": f"demo-{number}@{DEMO_EMAIL_DOMAIN}",
        "is_active": True,
    }


def _delegate_status(rng, constituency):
    """Only people of a government can ask to be recognised as its delegates."""
    status = rng.choices([status for status, _w in DELEGATE_STATUSES], [w for _s, w in DELEGATE_STATUSES])[0]
    return status if constituency == Constituency.GOVERNMENT else Profile.DelegateStatus.NONE


def seed_people(summary, scale, seed):
    """Organisations, users and profiles, tallied in ``summary`` (a ``DemoSummary``)."""
    wanted, by_constituency = organisation_rows(scale, seed)
    existing = existing_rows(Organisation.objects.all(), "name", {name for name, _country in wanted})
    organisations = sync_rows(summary.tally("organisations"), Organisation, ("name", "country"), wanted, existing)

    User = get_user_model()
    people = {}
    for number in range(1, scale + 1):
        rng = row_rng(seed, "user", number)
        constituency = Constituency.values[(number - 1) % len(Constituency.values)]
        # Among the first ``number`` organisations, so that a larger scale keeps this draw.
        organisation = organisations[by_constituency[constituency][rng.randrange(number)]]
        lang, user_values = _person(rng, number, organisation)
        people[number] = (constituency, organisation, lang, user_values, rng)
    usernames = {f"demo-{number}@{DEMO_EMAIL_DOMAIN}": number for number in people}
    existing_users = existing_rows(User.objects.all(), "username", usernames)
    known = {user.username for user in existing_users}
    wanted_users = {}
    for username, number in usernames.items():
        values = dict(people[number][3])
        if username not in known:  # a new account gets an unusable password; an existing one keeps its own
            user = User(username=username)
            user.set_unusable_password()
            values["password"] = user.password
        wanted_users[(username,)] = values
    users = sync_rows(summary.tally("users"), User, ("username",), wanted_users, existing_users)

    wanted_profiles = {}
    for username, number in usernames.items():
        constituency, organisation, lang, _values, rng = people[number]
        wanted_profiles[(users[(username,)].pk,)] = {
            "organisation_id": organisation.pk,
            "constituency": constituency,
            "country": str(organisation.country),
            "position": rng.choice(POSITIONS[lang]),
            "preferred_language": lang,
            "delegate_status": _delegate_status(rng, constituency),
        }
    existing_profiles = existing_rows(Profile.objects.all(), "user_id", [key[0] for key in wanted_profiles])
    sync_rows(summary.tally("profiles"), Profile, ("user_id",), wanted_profiles, existing_profiles)
    summary.totals["organisations"] = len(organisations)
    summary.totals["users"] = summary.totals["profiles"] = len(users)
