"""Entity types of the pseudonymisation pipeline (Presidio's names where it has one)."""

from __future__ import annotations

from dataclasses import dataclass

PERSON = "PERSON"
LOCATION = "LOCATION"
FACILITY = "FACILITY"
WARD = "WARD"
PHONE = "PHONE_NUMBER"
EMAIL = "EMAIL_ADDRESS"
ID_NUMBER = "ID_NUMBER"
DATE = "DATE_TIME"
AGE = "AGE"
# Roster hits travel through Presidio under their own type, so that its de-duplication
# (which only merges results of one type) never folds a roster hit into an NER PERSON.
ROSTER_PERSON = "ROSTER_PERSON"

ENTITY_TYPES = (PERSON, LOCATION, FACILITY, WARD, PHONE, EMAIL, ID_NUMBER, DATE, AGE)


@dataclass(frozen=True)
class Detected:
    """One analyzer result in our terms (``entity_type`` PERSON also for roster hits, whose
    code is ``person``); ``how`` says exact, inflected, fuzzy, spoken..."""

    start: int
    end: int
    entity_type: str
    score: float
    recognizer: str
    person: str | None = None
    how: str = ""
