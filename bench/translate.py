"""Translation packets at the size of a long FGD: a 600-turn Kiswahili session (about two
hours), pseudonymised, then ``translate -o`` (docx and XLIFF, leak check included), an import
of the fully translated docx packet, and the status. Prints wall and CPU seconds (user+sys of
this process) per step; a temporary study, nothing kept.

    .venv/bin/python bench/translate.py [--turns 600]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import tempfile
import time
from pathlib import Path

import docx
from click.testing import CliRunner

from fgdprep.cli import cli
from fgdprep.model import Provenance, Transcript, Turn
from fgdprep.store import Study

CONFIG = """\
study:
  name: translation bench
sites:
  - code: DS
    name: Dar es Salaam
    country: TZ
    language: sw
    places: [Kijitonyama, Temeke]
"""
ROSTER = """\
code,name,aliases,role
MOD,Rehema Mushi,,moderator
P01,Baraka Mwakyusa,,participant
P02,Halima Kimaro,Mama Halima,participant
P03,Neema Swai,,participant
"""
TEXTS = (
    "Karibuni wote. Baraka, tuanze na wewe.",
    "Asante Rehema. Naishi Kijitonyama tangu mwaka 2016.",
    "Jana tulikwenda hospitali, ilikuwa imejaa watu wengi sana.",
    "Neema alisema kwamba dawa zilimsaidia kila siku.",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=600)
    args = parser.parse_args()
    os.environ["FGDPREP_PASSPHRASE"] = "bench-passphrase"
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        root = base / "study"

        def run(*argv: str) -> str:
            result = CliRunner().invoke(cli, ["--study", str(root), *argv])
            assert result.exit_code == 0, result.output
            return result.output

        (base / "c.yaml").write_text(CONFIG)
        (base / "r.csv").write_text(ROSTER)
        CliRunner().invoke(cli, ["init", str(root), "--config", str(base / "c.yaml")])
        subprocess.run(["espeak-ng", "-w", str(base / "a.wav"), "karibuni"], check=True)
        ingest = ["--session", "DS-pre", "--site", "DS", "--wave", "pre", "--date", "2019-12-10"]
        run("ingest", str(base / "a.wav"), *ingest, "--roster", str(base / "r.csv"))
        turns = tuple(
            Turn(2.0 * i, 2.0 * i + 1.5, f"{TEXTS[i % 4]} Sentensi {i}.", f"P0{i % 4}")
            for i in range(args.turns)
        )
        study = Study.open(root)
        with study.lock():
            transcript = Transcript("DS-pre", "sw", turns, Provenance("transcribed", "bench"))
            study.save_transcript(transcript, "transcribed")
        run("pseudonymise", "DS-pre", "-q")

        def timed(label: str, *argv: str) -> None:
            t0, c0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
            out = run(*argv)
            c1, t1 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
            cpu = c1.ru_utime - c0.ru_utime + c1.ru_stime - c0.ru_stime
            print(f"{label}: wall {t1 - t0:.2f} s, cpu {cpu:.2f} s | {out.splitlines()[0]}")

        packet = base / "p.docx"
        timed("packet docx", "translate", "DS-pre", "-o", str(packet))
        timed("packet xliff", "translate", "DS-pre", "-o", str(base / "p.xlf"))
        document = docx.Document(str(packet))
        for row in document.tables[0].rows[1:]:
            row.cells[3].text = row.cells[2].text.replace("Karibuni wote", "Welcome all")
        document.save(str(packet))
        timed(
            f"import docx ({args.turns} rows)",
            "translate",
            "DS-pre",
            "--import",
            str(packet),
            "--by",
            "NM",
        )
        timed("status", "translate", "DS-pre")
        print("load average:", " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
