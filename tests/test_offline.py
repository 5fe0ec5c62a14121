"""No packet leaves the machine: ``fgdprep demo`` traced at the system-call level.

pytest-socket (``--disable-socket``) only sees Python's ``socket`` module; native libraries
(onnxruntime's telemetry thread, libcurl, glibc's resolver) open their own sockets. So the
demo runs in a child process under ``strace -f``, which sees every thread of every library,
and the test fails on any AF_INET/AF_INET6 connect or send, any DNS query, and any name lookup
handed to nscd, systemd-resolved or avahi.

The child gets the environment of a moderator's laptop, not CI's: onnxruntime stays silent
when it sees CI=true, GITHUB_ACTIONS, TF_BUILD and the like, so only a few basic variables are
passed on (not the offline switches fgdprep must set itself either, nor HF_HUB_OFFLINE).
"""

from __future__ import annotations

import codecs
import os
import re
import shutil
import struct
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

#: The environment the traced child keeps; everything else (CI's variables above all) goes.
LAPTOP_VARIABLES = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR")
SENDS = ("connect", "sendto", "sendmsg", "sendmmsg")
#: Unix sockets that only ever answer host-name lookups.
RESOLVER_SOCKETS = ("/systemd/resolve/", "/avahi-daemon/socket")
NSCD_SOCKET = "/nscd/socket"
#: nscd request types that look up hosts (glibc nscd-client.h: GETHOSTBYNAME .. GETHOSTBYADDRv6,
#: GETFDHST, GETAI); the others (passwd, group) stay on the machine.
NSCD_HOST_REQUESTS = {4, 5, 6, 7, 13, 14}

_CALL = re.compile(r"^(?P<pid>\d+)\s+(?P<name>\w+)\((?P<args>.*)$")
_FAMILY = re.compile(r"sa_family=(AF_\w+)")
_PATH = re.compile(r'sun_path=(?:@)?"([^"]*)"')
_INET = re.compile(r'sin6?_port=htons\((\d+)\).*?(?:inet_addr\("([^"]+)"\)|"([0-9a-f:.]+)")')
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_OPENED_SO = re.compile(r'^\d+\s+openat\([^,]+, "([^"]+\.so[^"]*)", .*\)\s+=\s+\d+')


@dataclass(frozen=True)
class Trace:
    """What a traced run did on the network, and which native libraries it loaded."""

    offending: tuple[str, ...]
    seen: Counter[str]
    native_packages: frozenset[str]


def _target(args: str) -> str:
    """A syscall's address in a few words: ``AF_UNIX /run/nscd/socket``, ``AF_INET 10.0.0.1:53``."""
    family = _FAMILY.search(args)
    if not family:
        return args.split(",", 1)[0] if args.startswith("AF_") else ""
    where = _PATH.search(args) if family.group(1) == "AF_UNIX" else None
    inet = _INET.search(args)
    if where:
        return f"{family.group(1)} {where.group(1)}"
    if inet:
        return f"{family.group(1)} {inet.group(2) or inet.group(3)}:{inet.group(1)}"
    return family.group(1)


def _nscd_request(args: str) -> int | None:
    """The request type of the nscd request sent in ``args`` (its first quoted buffer)."""
    data = _STRING.search(args)
    if not data:
        return None
    raw = codecs.escape_decode(data.group(1).encode("latin-1"))[0]
    if len(raw) < 8:
        return None
    return int(struct.unpack_from("<ii", raw)[1])


def _leaves_machine(name: str, args: str, target: str) -> bool:
    """A connect or send to an internet address, a DNS query, or a call to a resolver daemon."""
    if name in SENDS and target.startswith(("AF_INET ", "AF_INET6 ")):
        return True
    if name in SENDS and "htons(53)" in args:
        return True
    return name == "connect" and any(s in target for s in RESOLVER_SOCKETS)


def read_trace(lines: Iterable[str]) -> Trace:
    """Sort an ``strace -f`` log into network attempts (offending) and harmless local calls."""
    offending: list[str] = []
    seen: Counter[str] = Counter()
    nscd_fds: set[tuple[str, str]] = set()  # (thread, fd): the resolver sends where it connected
    inet_fds: set[tuple[str, str]] = set()
    packages: set[str] = set()
    for line in lines:
        line = line.rstrip("\n")
        opened = _OPENED_SO.match(line)
        if opened:
            parts = Path(opened.group(1)).parts
            if "site-packages" in parts:
                top = parts[parts.index("site-packages") + 1]
                packages.add(top.split(".", 1)[0] if ".so" in top else top.removesuffix(".libs"))
            continue
        call = _CALL.match(line)
        if not call or call["name"] == "openat":
            continue
        name, args = call["name"], call["args"]
        target = _target(args)
        seen[f"{name} {target}".strip()] += 1
        fd = args.split(",", 1)[0]
        socket = (call["pid"], fd)
        if name == "connect" and NSCD_SOCKET in target:
            nscd_fds.add(socket)  # passwd lookups go there too: judge by what is sent
        elif _leaves_machine(name, args, target):
            offending.append(line)
            inet_fds.add(socket)
        elif name in SENDS and (
            socket in inet_fds or (socket in nscd_fds and _nscd_request(args) in NSCD_HOST_REQUESTS)
        ):
            offending.append(line)
    return Trace(tuple(offending), seen, frozenset(packages))


def test_read_trace_tells_network_attempts_from_local_calls() -> None:
    # Lines as strace 6.1 writes them: the DNS ones from `fgdprep demo` on onnxruntime 1.32.0
    # before the fix; the nscd and resolved ones as glibc's clients send them (none runs here).
    trace = read_trace(
        (REPO / "tests" / "data" / "strace_network_sample.txt").read_text().splitlines()
    )
    assert [line.split("(", 1)[0] for line in trace.offending] == [
        "11981 connect",  # a DNS server
        "11981 sendto",  # the query to it
        "501 sendto",  # getaddrinfo handed to nscd
        "502 connect",  # systemd-resolved
    ]
    # passwd through nscd, an IPv6 probe bound to ::1, a send on that local socket: not network
    assert trace.seen["connect AF_UNIX /var/run/nscd/socket"] == 3
    assert trace.seen["bind AF_INET6 ::1:0"] == 1
    assert trace.native_packages == {"onnxruntime"}  # torch's library was not found there


def laptop_env(tmp_path: Path) -> dict[str, str]:
    """A moderator's laptop environment: a few basics, fgdprep's cache, this checkout's code."""
    env = {k: os.environ[k] for k in LAPTOP_VARIABLES if k in os.environ}
    env["FGDPREP_CACHE"] = os.environ.get("FGDPREP_CACHE") or str(tmp_path / "fgdprep-cache")
    env["XDG_CACHE_HOME"] = str(tmp_path / "xdg-cache")  # where onnxruntime keeps its state
    env["FGDPREP_PASSPHRASE"] = "demo-passphrase"
    env["PYTHONPATH"] = str(REPO / "src")
    return env


def fgdprep_command() -> list[str]:
    """The console script users run, as installed beside this Python."""
    script = Path(sys.executable).parent / "fgdprep"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "fgdprep"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="strace is Linux-only")
def test_demo_makes_no_connection_and_no_name_lookup(tmp_path: Path) -> None:
    strace = shutil.which("strace")
    assert strace, "strace is not installed: `make system-deps` installs it"
    log = tmp_path / "demo.strace"
    env = laptop_env(tmp_path)
    command = [strace, "-f", "-qq", "-e", "trace=%network,openat", "-s", "96", "-o", str(log)]
    command += [*fgdprep_command(), "demo", "-q", str(tmp_path / "demo")]
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "The demo study is in" in proc.stdout

    trace = read_trace(log.read_text(errors="replace").splitlines())
    seen = "\n".join(f"  {n:4d}  {what}" for what, n in sorted(trace.seen.items()))
    report = f"network system calls seen during `fgdprep demo`:\n{seen}\n"
    report += "native packages loaded: " + ", ".join(sorted(trace.native_packages))
    print(report)
    # The traced run really went through the pipeline's native stacks: speech recognition
    # (CTranslate2) and speaker turns (torch); onnxruntime too while the VAD runs on it.
    assert {"ctranslate2", "torch"} <= trace.native_packages, report
    if trace.offending:
        attempts = "\n".join(trace.offending)
        pytest.fail(f"{len(trace.offending)} network attempts:\n{attempts}\n{report}")
    ort_state = Path(env["XDG_CACHE_HOME"]) / "Microsoft"
    written = sorted(str(p) for p in ort_state.rglob("*"))
    assert not written, f"onnxruntime's telemetry was initialised: {written}"


def _load_vad(tmp_path: Path, first: str) -> subprocess.CompletedProcess[str]:
    code = f"{first}\nfrom faster_whisper.vad import get_vad_model\nget_vad_model()\n"
    return subprocess.run(
        [sys.executable, "-c", code],
        env=laptop_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_any_fgdprep_import_switches_onnxruntime_telemetry_off(tmp_path: Path) -> None:
    """Importing any fgdprep module, before the VAD loads onnxruntime, keeps it from writing
    its device id and event cache (and so from starting its uploader)."""
    state = tmp_path / "xdg-cache" / "Microsoft"
    bare = _load_vad(tmp_path, "pass")
    assert bare.returncode == 0, bare.stderr[-3000:]
    if not state.exists():
        pytest.skip("this onnxruntime keeps no telemetry state: nothing to switch off")
    shutil.rmtree(state)
    ours = _load_vad(tmp_path, "import fgdprep.audio")
    assert ours.returncode == 0, ours.stderr[-3000:]
    assert not state.exists(), sorted(str(p) for p in state.rglob("*"))


def test_onnxruntime_loaded_before_fgdprep_is_refused(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "import onnxruntime\nimport fgdprep"],
        env=laptop_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == (
        "ImportError: onnxruntime was loaded before fgdprep, with its telemetry on: fgdprep"
        " cannot keep this process offline. Import fgdprep first, or set"
        " ORT_DISABLE_TELEMETRY=1 before starting Python."
    )
