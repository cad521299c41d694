"""UN M49 regions of countries: for facets (practices) and balance panels (agenda)."""

from django.utils.translation import gettext_lazy as _

# The five regions of the UN Statistics Division's M49 standard, by ISO 3166 alpha-2 code
# (sub-regions joined). Antarctica belongs to none; Taiwan is counted in Asia.
REGIONS = {
    "africa": (
        _("Africa"),
        # Northern, Eastern, Middle, Southern and Western Africa.
        "DZ EG LY MA SD TN EH "
        "IO BI KM DJ ER ET TF KE MG MW MU YT MZ RE RW SC SO SS UG TZ ZM ZW "
        "AO CM CF TD CG CD GQ GA ST "
        "BW SZ LS NA ZA "
        "BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG",
    ),
    "americas": (
        _("Americas"),
        # Caribbean, Central America, South America, Northern America.
        "AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT TC VI "
        "BZ CR SV GT HN MX NI PA "
        "AR BO BV BR CL CO EC FK GF GY PY PE GS SR UY VE "
        "BM CA GL PM US",
    ),
    "asia": (
        _("Asia"),
        # Central, Eastern, South-eastern, Southern and Western Asia.
        "KZ KG TJ TM UZ "
        "CN HK MO KP JP MN KR TW "
        "BN KH ID LA MY MM PH SG TH TL VN "
        "AF BD BT IN IR MV NP PK LK "
        "AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE",
    ),
    "europe": (
        _("Europe"),
        # Eastern, Northern, Southern and Western Europe.
        "BY BG CZ HU PL MD RO RU SK UA "
        "AX DK EE FO FI GG IS IE IM JE LV LT NO SJ SE GB "
        "AL AD BA HR GI GR VA IT MT ME MK PT SM RS SI ES XK "
        "AT BE FR DE LI LU MC NL CH",
    ),
    "oceania": (
        _("Oceania"),
        # Australia and New Zealand, Melanesia, Micronesia, Polynesia.
        "AU CX CC HM NZ NF FJ NC PG SB VU GU KI MH FM NR MP PW UM AS CK PF NU PN WS TK TO TV WF",
    ),
}
REGION_OF = {code: slug for slug, (_label, codes) in REGIONS.items() for code in codes.split()}


def region_codes(slug):
    return REGIONS[slug][1].split()


def regions_of(country_codes):
    """The region slugs of some countries, in the order of REGIONS."""
    found = {REGION_OF.get(str(code)) for code in country_codes}
    return [slug for slug in REGIONS if slug in found]
