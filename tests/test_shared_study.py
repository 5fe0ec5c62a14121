"""A study shared by a team, with real users and groups: two uids of the team group change one
study in turn with no permission error and an audit line (hash-chained, user from the uid)
for every change; a third uid in the shareable group alone reads shareable/ and nothing of
identifiable/.

Needs root (it makes the users and groups with useradd/groupadd and removes them after);
skipped otherwise. Each user's commands run in a child process of this interpreter that has
dropped to that user's uid, gid and groups (os.setgroups/setgid/setuid, as setpriv does):
the interpreter lives under /root here, which other users cannot execute from.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fgdprep.cli import cli
from fgdprep.model import Provenance, Session, Stage, Transcript, Turn
from fgdprep.store import Study, verify_audit_chain

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("useradd") is None,
    reason="needs root and useradd to make the team's users and groups",
)

PASS = "correct horse battery staple"
ROSTER = "code,name,aliases,role\nMOD,Grace Atim,,moderator\nP01,Peter Wanyama,,participant\n"


@dataclass(frozen=True)
class User:
    name: str
    uid: int
    gid: int
    groups: tuple[int, ...]


def _gid(name: str) -> int:
    import grp

    return grp.getgrnam(name).gr_gid


@pytest.fixture(scope="module")
def team() -> Iterator[dict[str, Any]]:
    import pwd

    tag = secrets.token_hex(3)
    groups = {"team": f"fgdteam{tag}", "share": f"fgdshare{tag}"}
    names = {"a": f"fgda{tag}", "b": f"fgdb{tag}", "t": f"fgdt{tag}"}
    made_users: list[str] = []
    made_groups: list[str] = []
    try:
        for g in groups.values():
            subprocess.run(["groupadd", g], check=True)
            made_groups.append(g)
        both = f"{groups['team']},{groups['share']}"
        for key, extra in (("a", both), ("b", both), ("t", groups["share"])):
            subprocess.run(
                ["useradd", "-M", "-N", "-g", groups["share"], "-G", extra, names[key]], check=True
            )
            made_users.append(names[key])
        users = {}
        for key, name in names.items():
            pw = pwd.getpwnam(name)
            member = [_gid(g) for g in groups.values() if key != "t" or g == groups["share"]]
            users[key] = User(name, pw.pw_uid, pw.pw_gid, tuple(member))
        base = Path(tempfile.mkdtemp(prefix="fgdprep-team-", dir="/tmp"))
        os.chmod(base, 0o755)
        yield {"users": users, "groups": groups, "base": base}
        shutil.rmtree(base)
    finally:
        for name in made_users:
            subprocess.run(["userdel", name], check=False)
        for g in made_groups:
            subprocess.run(["groupdel", g], check=False)


def as_user(user: User, work: Callable[[], Any]) -> Any:
    """Run ``work`` in a child process as ``user`` (umask 022, as a login shell has it)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read)
        try:
            os.setgroups(list(user.groups))
            os.setgid(user.gid)
            os.setuid(user.uid)
            os.umask(0o022)
            out = {"ok": work()}
        except BaseException as exc:
            out = {"error": f"{type(exc).__name__}: {exc}"}
        os.write(write, json.dumps(out).encode())
        os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 1 << 16):
        chunks.append(chunk)
    os.close(read)
    os.waitpid(pid, 0)
    return json.loads(b"".join(chunks))


def fgdprep(*args: str) -> Callable[[], Any]:
    def work() -> Any:
        result = CliRunner().invoke(cli, list(args), env={"FGDPREP_PASSPHRASE": PASS})
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            return [result.exit_code, f"{type(result.exception).__name__}: {result.exception}"]
        return [result.exit_code, result.output]

    return work


def test_two_team_members_and_a_translator(team: dict[str, Any]) -> None:
    users, groups, base = team["users"], team["groups"], team["base"]
    a, b, t = users["a"], users["b"], users["t"]
    config = base / "config.yaml"
    config.write_text(
        f"study:\n  name: Shared\n  group: {groups['team']}\n  shareable_group: {groups['share']}\n"
        "sites:\n  - code: BU\n    name: Butabika\n    country: UG\n    language: sw\n"
        "    places: [Mbale]\n    transcription: {model: none}\n",
        encoding="utf-8",
    )
    os.chmod(config, 0o644)
    os.chown(base, a.uid, -1)  # the data manager's folder
    root = base / "study"

    def add_session(where: Path) -> Callable[[], Any]:
        def work() -> Any:
            study = Study.open(where)
            turns = (
                Turn(start=0.0, end=1.0, text="Karibuni wote.", speaker="MOD"),
                Turn(
                    start=1.0,
                    end=2.0,
                    text="Asante Grace. Mimi ni Peter, natoka Mbale.",
                    speaker="P01",
                ),
            )
            provenance = Provenance(stage="transcribed", tool_version="t")
            with study.lock():
                study.write_text(study.roster_path("BU"), ROSTER)
                study.save_session(Session("BU-pre", "BU", "pre", "2026-01-10", "sw"))
                study.save_transcript(
                    Transcript("BU-pre", "sw", turns, provenance), Stage.TRANSCRIBED
                )
                study.audit("test: add session", session="BU-pre")
            return "added"

        return work

    steps = [
        (b, ("pseudonymise", "BU-pre", "-q")),
        (a, ("review", "BU-pre", "--add", "Halima", "--as", "PERSON")),
        (b, ("pseudonymise", "BU-pre", "-q")),
        (a, ("leakcheck",)),
        (b, ("show", "BU-pre", "--stage", "transcribed")),
    ]
    # warm up in this process: every module the children need is imported (by the same
    # commands, as root) before they drop to users that cannot read the interpreter's folder
    warm = base / "warm"
    assert fgdprep("init", str(warm), "--config", str(config))()[0] == 0
    add_session(warm)()
    for _user, args in steps:
        assert fgdprep("--study", str(warm), *args)()[0] == 0
    shutil.rmtree(warm)

    made = as_user(a, fgdprep("init", str(root), "--config", str(config)))
    assert made["ok"][0] == 0
    assert made["ok"][1].startswith(f"Created study 'Shared' in {root} (1 sites).\n")
    assert as_user(a, add_session(root)) == {"ok": "added"}
    for user, args in steps:
        out = as_user(user, fgdprep("--study", str(root), *args))
        assert "ok" in out, (user.name, args, out)
        code, text = out["ok"]
        assert code == 0, (user.name, args, text)
        assert "Permission denied" not in text
    audit = root / "logs" / "audit.jsonl"
    entries = [json.loads(line) for line in audit.read_text(encoding="utf-8").splitlines()]
    assert [(e["command"], e["user"]) for e in entries] == [
        ("init", a.name),
        ("test: add session", a.name),
        ("pseudonymise", b.name),
        ("review", a.name),
        ("pseudonymise", b.name),
        ("leakcheck", a.name),
        ("show", b.name),
    ]
    assert [e["uid"] for e in entries] == [a.uid, a.uid, b.uid, a.uid, b.uid, a.uid, b.uid]
    assert verify_audit_chain(audit) is None
    # the lock and the log stay group-writable whoever made them
    for path in (audit, root / ".fgdprep" / "lock"):
        st = path.stat()
        assert (st.st_mode & 0o777, st.st_gid) == (0o660, _gid(groups["team"]))
    shareable_file = root / "shareable" / "sessions" / "BU-pre" / "deidentified.json"
    assert shareable_file.stat().st_gid == _gid(groups["share"])

    # the translator: the shareable copy, and nothing of the identifiable area
    def translator() -> Any:
        seen = {"shareable": "Karibuni" in shareable_file.read_text(encoding="utf-8")}
        for what, probe in (
            ("list identifiable", lambda: os.listdir(root / "identifiable")),
            (
                "read transcript",
                lambda: (root / "identifiable/sessions/BU-pre/transcribed.json").read_text(),
            ),
            ("read roster", lambda: (root / "identifiable/rosters/BU.csv").read_text()),
            ("read codebook", lambda: (root / "identifiable/codebook.enc").read_bytes()),
            ("read audit log", lambda: (root / "logs/audit.jsonl").read_text()),
        ):
            try:
                probe()
                seen[what] = "read"
            except PermissionError:
                seen[what] = "denied"
        return seen

    assert as_user(t, translator) == {
        "ok": {
            "shareable": True,
            "list identifiable": "denied",
            "read transcript": "denied",
            "read roster": "denied",
            "read codebook": "denied",
            "read audit log": "denied",
        }
    }


def test_audit_chain_finds_an_edited_entry(tmp_path: Path) -> None:
    root = tmp_path / "s"
    assert CliRunner().invoke(cli, ["init", str(root)]).exit_code == 0
    study = Study.open(root)
    with study.lock():
        study.audit("one", counts={"n": 1})
        study.audit("two", counts={"n": 2})
    log = root / "logs" / "audit.jsonl"
    assert verify_audit_chain(log) is None
    lines = log.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace('"n": 1', '"n": 5')
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert verify_audit_chain(log) == 3
