"""Roster names and aliases: case-insensitive, inflection-tolerant, fuzzy for ASR spellings.

Each person's full name, every part of it (people address each other by first name) and
every alias is indexed. Names that are also everyday words ("grace", "hope", "will",
"baraka", "imani") are only taken in lowercase where the words around them say a person is
meant ("thank you, grace", "asante imani,", "i agree with hope"), and never after "the",
"god's" or before "of" ("by the grace of god").
"""

from __future__ import annotations

import re
from typing import Any

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from fgdprep.entities import PERSON, ROSTER_PERSON
from fgdprep.model import Person
from fgdprep.recognizers.ages import age_cues
from fgdprep.recognizers.base import RecognizerContext, every_language, result
from fgdprep.recognizers.candidates import (
    COMMON_ZIPF,
    NOUN_ZIPF,
    WORDFREQ,
    lexicon,
    rough_zipf,
    zipf,
)
from fgdprep.text import (
    TITLE_WORDS,
    WORD_NAMES,
    Match,
    PhraseIndex,
    Token,
    latin,
    name_parts,
    norm,
    phrase_keys,
    squeeze,
    tokens,
    variants,
)

NAME = "roster"

#: Kiswahili verb stems of agreeing and talking: "na" after them is "with" a person.
TALK_WITH = ("kubalian", "ongea", "zungumz", "elewan", "patan", "bishan", "kutan")
#: Kiswahili verbs with a person object glued on ("nilimwambia", "alimuuliza", "nikampigia"):
#: a word-name after them is the person told, asked or called.
TOLD = ("mwambi", "muuliz", "mwuliz", "mpigi", "mshukur")
#: Initials given as an alias: two or three capitals.
INITIALS = re.compile(r"[A-Z]{2,3}")
#: A near-miss of a roster name in an uncased script this frequent is a word.
FUZZY_WORD_ZIPF = 3.0
#: A roster name with an ending glued on ("my", a diminutive) in a word the frequency list
#: knows at all is that word.
SUFFIXED_WORD_ZIPF = 2.0
#: Pet forms of a roster name made from its start: the start alone ("Hali" for Halima) in
#: cased scripts is this long at least; with a diminutive ending ("Gabi", "יוסיק", "दत्तू")
#: the start is this long (Devanagari counts signs, so "सच" of "सचिन" is two).
NICK_BARE = 4
NICK_STEM = {"mr": 2}
NICK_STEM_DEFAULT = 3
#: A pet form this frequent in the language's word list is that word, unless the language's
#: lexicon lists it as a given name ("יוסי"): "Will", "Bill" (English, where a capital says
#: a name), "Bett" (German, where it says a noun), "सकाळी" (in Hindi's list for Marathi).
NICK_WORD_ZIPF = {"en": 5.0, "de": 4.0}
NICK_WORD_ZIPF_DEFAULT = 3.0
#: Languages without a list of their own: an English word this frequent is that word.
NICK_ENGLISH_ZIPF = 4.5
NICK_SCORE = 0.6
#: Words whose pet-form verdict is remembered (per recognizer, that is per site and language).
PET_MEMO = 200_000


class RosterRecognizer(EntityRecognizer):
    """Participants and moderators of a site, reported as ROSTER_PERSON with their code."""

    def __init__(self, people: tuple[Person, ...], language: str, fuzzy_threshold: float):
        self.people = people
        self.language_cased = language in CASED_NOUN_LANGUAGES
        self.index: PhraseIndex[str] = PhraseIndex(language, fuzzy_threshold)
        self.word_names: set[str] = set()
        self.initials: set[tuple[str, str]] = set()
        self.short_names: set[tuple[str, str]] = set()
        self.starts: dict[str, set[str]] = {}  # the start of a name part -> roster codes
        self._pet_memo: dict[str, tuple[int, int, str] | None] = {}
        lex = lexicon(language)
        self.lex = lex
        uncased = lex is not None and not lex.cased
        for person in people:
            for phrase in (person.name, *person.aliases):
                self.index.add(phrase, person.code)
                keys = phrase_keys(phrase)
                for key in name_parts(phrase):
                    self.index.add(key, person.code)
                for form in _latin_forms(phrase):  # "Sunita tai" in code-switched Marathi
                    self.index.add(form, person.code)
                everyday = WORD_NAMES | (lex.word_names if lex is not None else frozenset())
                self.word_names.update(k for k in keys if k in everyday)
                # two-letter names of an uncased script ("טל", "חן", "גל"): the index leaves
                # them out (too many words are that short); found only where said to a person
                if uncased:
                    self.short_names.update((k, person.code) for k in keys if len(k) == 2)
                    self.word_names.update(k for k in keys if len(k) == 2)
            for key in {k for p in (person.name, *person.aliases) for k in phrase_keys(p)}:
                if key not in TITLE_WORDS and len(key) > NICK_STEM.get(language, 3):
                    for n in range(NICK_STEM.get(language, NICK_STEM_DEFAULT), len(key) + 1):
                        for start in {key[:n], squeeze(key)[:n]}:
                            self.starts.setdefault(start, set()).add(person.code)
            # initials as an alias ("KD", "DJ"): found only written so, in capitals
            self.initials.update(
                (a, person.code) for a in person.aliases if INITIALS.fullmatch(a.strip())
            )
        super().__init__(supported_entities=[ROSTER_PERSON], name=NAME, supported_language=language)

    def _rare(self, key: str) -> bool:
        """A word the language's frequency list does not know: a misspelt name ("svetlanna"),
        not a word ("schneller")."""
        return self.supported_language in WORDFREQ and zipf(key, self.supported_language) < 1.5

    def _cue_or_number(self, tok: Token) -> bool:
        """A near-miss that is a kinship word, possessive or stop word of the language
        ("mukyala", wife; "lwange", my), or a number word in lower case ("mukaaga", six;
        "Mukaaga yagambye" may be a misspelt Mukasa): no misspelt name."""
        lex, key = self.lex, tok.key
        if lex is None:
            return False
        cues = age_cues(self.supported_language)
        return (
            (key,) in lex.kin
            or key in lex.between
            or key in lex.stop
            or key in lex.not_names
            or (cues is not None and key in cues.numbers and not tok.text[:1].isupper())
        )

    def _lowercase_word(self, text: str, tok: Token) -> bool:
        """A near-miss written in lowercase inside cased text that is a frequent word of the
        language ("they bring you" is no "Brian"); lowercase ASR text is another matter."""
        return (
            self.lex is not None
            and self.lex.cased
            and not tok.text[:1].isupper()
            and any(c.isupper() for c in text)
            and zipf(tok.key, self.supported_language) >= NOUN_ZIPF
        )

    def _noun_not_name(self, text: str, toks: list[Token], i: int, m: Any) -> bool:
        """A capitalised word read as a class prefix and a name ("Mwajuma"); German: a surname
        that is a frequent noun after a preposition ("im Winter", "zum Fuchs"), or a near-miss
        glued by a hyphen into a compound ("Kepler-Gymnasium")."""
        if m.start > toks[i].start and toks[i].text[:1].isupper():
            return True  # "Mwajuma" is a name of its own, no class prefix on "Juma"
        if not self.language_cased:
            return False
        if m.how == "fuzzy" and (
            text[m.end : m.end + 1] == "-" or text[m.start - 1 : m.start] == "-"
        ):
            return True
        whole = m.end - m.start == len(toks[i].text) and i > 0 and not toks[i].text.isupper()
        if (
            whole
            # German indefinite articles: a name takes none
            and toks[i - 1].key in every_language("indefinite")
            and (m.how == "fuzzy" or zipf(toks[i].key, self.supported_language) >= NOUN_ZIPF)
        ):
            return True  # "war ein Engel", "bei einem Bäcker": a noun, not Engel or Becker
        return (
            whole
            # German prepositions and articles before a noun, never before a person
            and toks[i - 1].key in every_language("noun_before")
            and zipf(toks[i].key, self.supported_language) >= NOUN_ZIPF
        )

    def _names_a_street(self, text: str, toks: list[Token], m: Any) -> bool:
        """A roster name right before a road or street word names the road ("लक्ष्मी रोडवर",
        "Nelson Mandela Road"), not the participant."""
        lex = lexicon(self.supported_language)
        nxt = next((t for t in toks if t.start >= m.end), None)
        if lex is None or nxt is None:
            return False
        return lex.place_head_after(nxt.text, nxt.key, text[m.end : nxt.start])

    def _kin_or_name(self, tok: Token, m: Any) -> bool:
        """Hebrew: a participant whose whole name is a kinship word ("אבי": Avi, my father),
        with a prefix letter on it ("לאבי"): either may be meant."""
        lex = lexicon(self.supported_language)
        return (
            lex is not None
            and not lex.cased
            and m.how != "fuzzy"
            and m.start > tok.start
            and m.end == tok.end
            and (tok.key,) in lex.kin
            and (norm(tok.text[m.start - tok.start :]),) in lex.kin
        )

    def _word_of_uncased_script(self, tok: Token, m: Any) -> bool:
        """Hebrew: a kinship word read as a prefix letter and a name ("בעלי", my husband, is
        no "ב" + "עלי"), a frequent word near a name ("במיון", in the ER), or a known word
        that is a name with an ending ("ולידי")."""
        lex = lexicon(self.supported_language)
        if lex is None or lex.cased:
            return False
        if m.start > tok.start and (tok.key,) in lex.kin:
            return True
        if m.start > tok.start and zipf(tok.key, lex.language) >= COMMON_ZIPF:
            return True  # "בגיל" (at the age) is a word, not "ב" + the participant גיל
        if m.end < tok.end and zipf(tok.key, lex.language) >= SUFFIXED_WORD_ZIPF:
            return True  # "ולידי" (next to me) is a word, not the participant וליד + "my"
        return m.how == "fuzzy" and zipf(tok.key, lex.language) >= FUZZY_WORD_ZIPF

    def _nickname(self, text: str, toks: list[Token], i: int) -> Match[str] | None:
        """A pet form of one roster person's name made from its start: the start alone
        ("Hali" for Halima, cased scripts only) or with a diminutive ending of the language
        ("Gabi" for Gabriele, "Robbie" for Robert, "יוסיק" for יוסף, "दत्तू" for दत्ता), prefix
        letters and case endings aside in uncased scripts ("ליוסיק", "दत्तूला"). Written as a
        name (capitalised, not opening a sentence unless said to someone) and rare in the
        language: "Will" (William) and "Hali" starting a sentence (hali, condition) are words."""
        lex = self.lex
        if lex is None or not self.starts:
            return None
        t = toks[i]
        if lex.cased:
            if not t.text[:1].isupper() or (len(t.text) > 1 and t.text.isupper()):
                return None
            after = text[t.end : t.end + 1]
            opening = i == 0 or text[: t.start].rstrip()[-1:] in (".", "?", "!", ":", '"')
            if opening and after not in (",", "?", "!"):
                return None
        if t.key in self._pet_memo:
            hit = self._pet_memo[t.key]
        else:
            hit = self._pet_form(t.key)
            if len(self._pet_memo) < PET_MEMO:
                self._pet_memo[t.key] = hit
        if hit is None:
            return None
        pre, suf, code = hit
        return Match(t.start + pre, t.end - suf, code, "nickname", NICK_SCORE)

    def _pet_form(self, word: str) -> tuple[int, int, str] | None:
        """(prefix length, ending length, roster code) where a word is a pet form of one
        roster person's name; memoised per word by :meth:`_nickname`."""
        lex = self.lex
        assert lex is not None
        forms = [(word, 0, 0)] if lex.cased else [(word, 0, 0), *variants(word, lex.language)]
        for key, pre, suf in forms:
            codes = self._starts_of(key, lex.cased)  # cheap: most words start no name
            if len(codes) != 1 or "ה" in word[:pre]:
                continue  # "העוזי": the article on a word
            if self._word(word) or self._word(key) or self._listed_place(key):
                continue  # "भारती": a hospital, no "भरत"
            return pre, suf, codes.pop()
        return None

    def _starts_of(self, key: str, cased: bool) -> set[str]:
        """The roster codes whose name starts as ``key`` does, less a diminutive ending."""
        assert self.lex is not None
        out: set[str] = set()
        min_stem = NICK_STEM.get(self.lex.language, NICK_STEM_DEFAULT)
        for ending in self.lex.diminutives:
            stem = key[: -len(ending)]
            if key.endswith(ending) and len(stem) >= min_stem:
                out |= self.starts.get(stem, set()) | self.starts.get(squeeze(stem), set())
        if cased and len(key) >= NICK_BARE:
            out |= self.starts.get(key, set())
        return out

    def _listed_place(self, key: str) -> bool:
        """A place or facility of the language's lexicon (case endings aside)."""
        assert self.lex is not None
        hit = self.lex.names.resolve(key)
        return hit is not None and any(
            payload != PERSON for _, payload in self.lex.names.entries(hit[0])
        )

    def _word(self, key: str) -> bool:
        """A word of the language, not a pet name: frequent, or a stop, kinship or cue word."""
        lex = self.lex
        assert lex is not None
        return (
            key in lex.stop
            or key in lex.not_names
            or key in lex.between
            or (key,) in lex.kin
            or key in TITLE_WORDS
            or key in WORD_NAMES
            or (
                key not in lex.given
                and (
                    rough_zipf(key, lex.language)
                    >= NICK_WORD_ZIPF.get(lex.language, NICK_WORD_ZIPF_DEFAULT)
                    or (lex.cased and zipf(key, "en") >= NICK_ENGLISH_ZIPF)
                )
            )
        )

    @classmethod
    def from_context(cls, ctx: RecognizerContext) -> RosterRecognizer | None:
        if not ctx.people:
            return None
        return cls(ctx.people, ctx.language, ctx.fuzzy_threshold)

    def load(self) -> None:
        pass

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        toks = tokens(text)
        pos = {c: i for i, t in enumerate(toks) for c in range(t.start, t.end)}
        out = []
        doubtful = []
        found = self.index.find(text, toks)
        taken_chars = {c for m in found for c in range(m.start, m.end)}
        for alias, code in sorted(self.initials):
            for hit in re.finditer(rf"(?<!\w){re.escape(alias.strip())}(?!\w)", text):
                if hit.start() not in taken_chars:
                    found.append(Match(hit.start(), hit.end(), code, "exact", 1.0))
        if self.short_names:
            short = dict(self.short_names)
            for i, t in enumerate(toks):
                if t.key in short and t.start not in taken_chars:
                    verdict = _word_name_context(text, toks, i)
                    if verdict is not None:
                        found.append(Match(t.start, t.end, short[t.key], "exact", verdict))
        for m in sorted(found, key=lambda m: m.start):
            i = pos[m.start]
            span_keys = [t.key for t in toks if t.start < m.end and t.end > m.start]
            score = {"exact": 0.95, "inflected": 0.9}.get(m.how, 0.6)
            if len(span_keys) == 1 and _word_name(span_keys[0], m, self.word_names):
                verdict = _word_name_context(text, toks, i)
                if verdict is None:
                    doubtful.append((m, i))
                    continue
                score = min(score, verdict)
            elif m.how == "fuzzy" and (
                (_reads_as_word(toks, i, self.language_cased, text) and not self._rare(toks[i].key))
                or self._lowercase_word(text, toks[i])
                or self._cue_or_number(toks[i])
            ):
                continue
            if self._kin_or_name(toks[i], m):
                # "לאבי יש": to my father, or to the participant Avi: suggested, for review
                out.append(Match(m.start, m.end, m.payload, "ambiguous", NICK_SCORE))
                continue
            if self._word_of_uncased_script(toks[i], m) or self._noun_not_name(text, toks, i, m):
                continue
            if self._names_a_street(text, toks, m):
                continue
            out.append(m)
        # pet forms of a roster name ("Hali", "יוסיק"), where nothing else was taken
        named = {c for m in out for c in range(m.start, m.end)}
        for i, t in enumerate(toks):
            if not named.intersection(range(t.start, t.end)):
                nick = self._nickname(text, toks, i)
                if nick is not None and not self._names_a_street(text, toks, nick):
                    out.append(nick)
        # "neema na imani", "mercy and hope": a word-name joined to a name is a name too
        taken = {pos[m.start] for m in out}
        for m, i in doubtful:
            joined = toks[i - 1].key in every_language("coordination") or toks[i - 1].key == "&"
            if i >= 2 and joined and (i - 2) in taken:
                out.append(m)
        return [
            result(
                ROSTER_PERSON,
                m.start,
                m.end,
                {"exact": 0.95, "inflected": 0.9}.get(m.how, 0.6)
                if not _is_word_name_hit(m, toks, pos, self.word_names)
                else 0.7,
                NAME,
                person=m.payload,
                how=m.how,
            )
            for m in sorted(out, key=lambda m: m.start)
        ]


#: Languages that capitalise every noun: a name in lowercase there is a word.
CASED_NOUN_LANGUAGES = frozenset({"de"})


#: A Latin spelling of a Devanagari name part this frequent in English is the English word
#: ("more" for मोरे).
LATIN_WORD_ZIPF = 3.0


def _latin_forms(phrase: str) -> list[str]:
    """Latin spellings of a Devanagari name and of its parts, with "v" also as "w" ("Pawar"),
    the parts that are English words left out."""
    if not any("\u0900" <= c <= "\u097f" for c in phrase):
        return []
    full = latin(phrase)
    forms = [full, *name_parts(full)]
    forms += [f.replace("v", "w") for f in forms if "v" in f]
    return [f for f in forms if " " in f.strip() or zipf(norm(f), "en") < LATIN_WORD_ZIPF]


def _reads_as_word(toks: list[Token], i: int, cased: bool, text: str) -> bool:
    """A lowercase near-miss after "the", "a", "my"...: a word, not a misspelt name. In
    German, where every noun is capitalised, any lowercase near-miss in cased text is a word
    ("schneller" is not "Schneider"); ASR text in lowercase throughout is another matter."""
    if toks[i].text[:1].isupper():
        return False
    before = toks[i - 1].key if i > 0 else ""
    if cased and any(c.isupper() for c in text):
        return True
    return before in every_language("not_a_person_before")


def _is_word_name_hit(m: Any, toks: list[Token], pos: dict[int, int], names: set[str]) -> bool:
    i = pos[m.start]
    single = i + 1 >= len(toks) or toks[i + 1].start >= m.end
    return single and _word_name(toks[i].key, m, names) and not toks[i].text[:1].isupper()


SPEECH_VERBS = frozenset(
    {
        "said",
        "says",
        "told",
        "mentioned",
        "asked",
        "explained",
        "alisema",
        "amesema",
        "wamesema",
        "walisema",
        "sagte",
        "gesagt",
        "meinte",
        "erzählt",
        "erzählte",
    }
)
# Words that may stand between a speaker and the speech verb ("X and Y have just said").
_BETWEEN = frozenset(
    {
        "and",
        "na",
        "und",
        "has",
        "have",
        "had",
        "just",
        "already",
        "also",
        "hat",
        "haben",
        "pia",
        "both",
        "wote",
        "hope",
        "grace",
        "will",
        "mercy",
        "faith",
        "imani",
        "baraka",
    }
)


def _speaker_of(toks: list[Token], i: int) -> bool:
    """The word-name is the subject of a speech verb: "mercy and hope have said"."""
    for j in range(i + 1, min(i + 6, len(toks))):
        key = toks[j].key
        if key in SPEECH_VERBS:
            return True
        if key not in _BETWEEN and key not in WORD_NAMES:
            return False
    return False


#: Kiswahili tense prefixes of a verb whose subject is a person ("a-" of class 1: "alisema",
#: "anakuja", "atagawa", "amesema", "akasema"); "baraka zake" (blessings) agrees otherwise.
PERSON_VERB_PREFIXES = ("ali", "ana", "ata", "ame", "aka")


def _person_verb(word: str) -> bool:
    """A Kiswahili verb with a person as its subject, no English word ("analysis")."""
    return (
        len(word) >= 6
        and word.startswith(PERSON_VERB_PREFIXES)
        and zipf(word, "en") < LATIN_WORD_ZIPF
    )


def _word_name(key: str, m: Any, word_names: set[str]) -> bool:
    return key in word_names or (m.how != "exact" and key in WORD_NAMES)


def _word_name_context(text: str, toks: list[Token], i: int) -> float | None:
    """Score for a name that is also a word, or None where it reads as the word."""
    before = toks[i - 1].key if i > 0 else ""
    after = toks[i + 1].key if i + 1 < len(toks) else ""
    tail = text[toks[i].end : toks[i].end + 2].lstrip(" ")
    capital = toks[i].text[:1].isupper()
    sentence_start = i == 0 or text[: toks[i].start].rstrip()[-1:] in (".", "?", "!", ":")
    vocative = tail[:1] in (",", "?", "!")
    # "by the grace of god": words around it that make it the word (data/lang_<code>.yaml)
    negative = before in every_language("not_a_person_before") or after in every_language(
        "not_a_person_after"
    )
    if negative and not (vocative and before not in ("the", "god's", "gods")):
        return None
    if capital and not sentence_start:
        return 0.9
    thank_you = before == "you" and i > 1 and toks[i - 2].key in ("thank", "asante")
    # Kiswahili "nakubaliana na tumaini": agreeing or talking *with* someone
    with_someone = before == "na" and i > 1 and any(v in toks[i - 2].key for v in TALK_WITH)
    with_someone = with_someone or any(v in before for v in TOLD)
    # "with grace", "mama neema", "hope said": words that make it a person
    address = before in every_language("address_before") or after in every_language("address_after")
    if address or thank_you or with_someone:
        return 0.7
    if _person_verb(after):
        return 0.7  # "Baraka atagawa nauli": the subject of a verb of the person class
    if _speaker_of(toks, i):
        return 0.7
    if tail[:1] in (",", "?", "!") and (
        sentence_start or text[: toks[i].start].rstrip()[-1:] == ","
    ):
        return 0.7
    if tail[:1] in ("?",):
        return 0.7
    if before in every_language("self_introduction") and tail[:1] in (".", ","):
        return 0.7  # "אני טל.", "Nze Ssanyu,", "I'm Hope.": a speaker saying who they are
    return None
