"""Any transcript -> finalise's numbering -> every export -> read back: the same units with
the same numbers (hypothesis). Unicode of every script (Hebrew, Devanagari, emoji, control
characters, odd line breaks), empty turns and very long turns."""

from __future__ import annotations

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from fgdprep.config import ConventionsConfig, NumberingConfig
from fgdprep.formats.export import FORMATS, ExportDoc, ExportOptions
from fgdprep.model import Flag, FlagCode, Provenance, Transcript, Turn
from fgdprep.stages.finalise import clean, number
from test_export_formats import XSD, check_read_back

SCHEMA = etree.XMLSchema(etree.parse(str(XSD)))
WORDS = st.sampled_from(
    [
        "שלום",
        "אני גר ב[Place 1].",
        "मी [P03] आहे।",
        "पस्तीस वर्षांचा",
        "Karibu!",
        "ja, genau…",
        "[P01]:",
        "#00:01:02-3#",
        "<v x>&amp;",
        "-->",
        "😀",
        "a\u2028b",
        "\t",
        "\r\n",
        "\x00",
        "\ufeff",
        " ",
        "",
    ]
)
TEXT = st.one_of(
    st.text(max_size=80),
    st.lists(WORDS, max_size=12).map(" ".join),
    st.tuples(st.lists(WORDS, min_size=1, max_size=6).map(" ".join), st.integers(1, 400)).map(
        lambda t: (t[0] + ". ") * t[1]  # very long turns
    ),
)
SPEAKERS = st.sampled_from(["MOD", "P01", "P12", "SPEAKER_03", "Dr X", "a:b", None])


@st.composite
def transcripts(draw: st.DrawFn) -> Transcript:
    turns = []
    t = 0.0
    for i in range(draw(st.integers(0, 12))):
        t = round(t + draw(st.floats(-2.0, 6.0)), 3)
        start = max(t, 0.0)
        end = round(start + draw(st.floats(0.0, 30.0)), 3)
        flags = (Flag(FlagCode.UNTRANSCRIBED_SPEECH),) if draw(st.booleans()) else ()
        turns.append(Turn(start, end, draw(TEXT), draw(SPEAKERS), flags=flags, id=f"t{i}"))
        t = end
    return Transcript("X", "he", tuple(turns), Provenance("deidentified", "test"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    transcripts(),
    st.sampled_from(["turn", "line"]),
    st.sampled_from(
        [
            ExportOptions(),
            ExportOptions("f4", True),
            ExportOptions("bracket"),
            ExportOptions("qualcoder"),
        ]
    ),
)
def test_any_transcript_reads_back_unit_for_unit(
    transcript: Transcript, mode: str, options: ExportOptions
) -> None:
    numbering = NumberingConfig(mode=mode, max_paragraph_chars=200)  # type: ignore[arg-type]
    units = number(transcript, numbering, ConventionsConfig())
    assert [u.n for u in units] == list(range(1, len(units) + 1))
    firsts = [u.start for u in units if u.part == 1]
    assert firsts == sorted(firsts)  # turns in time order (NVivo's rows)
    if mode == "turn":  # nothing of a turn's text is lost or moved to another turn
        for turn in transcript.turns:
            parts = "".join(u.text for u in units if u.turn == turn.id)
            assert parts.replace(" ", "") == clean(turn.text).replace(" ", "")
            assert all(len(u.text) <= 200 for u in units)
    doc = ExportDoc("X", "DS", "pre", "2019-12-10", "he", "DS", "source", mode, "", (), units)
    check_read_back(doc, options)
    project = FORMATS["qdpx"](options).write([doc])
    SCHEMA.assertValid(etree.fromstring(zipfile.ZipFile(io.BytesIO(project)).read("project.qde")))
