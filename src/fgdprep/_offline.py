"""No network from the libraries fgdprep loads: imported first by ``fgdprep/__init__.py``.

Python runs a package's ``__init__`` before any of its modules, so every way into fgdprep (the
``fgdprep`` command, ``python -m fgdprep``, ``import fgdprep.anything``) passes here before
any fgdprep code can load onnxruntime or Presidio. Keep this module free of fgdprep imports
above the environment settings: an import that loaded onnxruntime would come too early.

onnxruntime (faster-whisper runs its silero VAD on it): the Linux and macOS wheels from 1.29
on carry Microsoft's 1DS telemetry. Loading the library writes a device id and an event cache
under ``~/.cache/Microsoft/DeveloperTools/.onnxruntime`` and a background thread later looks
up and posts to ``mobile.events.data.microsoft.com``. ``ORT_DISABLE_TELEMETRY=1`` switches
all of it off, but onnxruntime reads it once, when its native module is loaded; afterwards
neither the variable nor ``onnxruntime.disable_telemetry_events()`` stop the upload. So it is
set here, unconditionally, and a process that loaded onnxruntime before fgdprep is refused.

tldextract: Presidio's e-mail recognizer makes it fetch the public suffix list from the web
(with no timeout) on first use. With no URLs it uses the snapshot it ships; its cache goes
into fgdprep's cache folder.
"""

from __future__ import annotations

import os
import sys

#: onnxruntime's own switch, read once, when its native module loads (the 1.29-1.32 wheels);
#: upstream's source also names it ORT_TELEMETRY_DISABLED, so both are set.
ORT_TELEMETRY_SWITCHES = ("ORT_DISABLE_TELEMETRY", "ORT_TELEMETRY_DISABLED")
_ORT_NATIVE = "onnxruntime.capi.onnxruntime_pybind11_state"

if _ORT_NATIVE in sys.modules and "1" not in {os.environ.get(v) for v in ORT_TELEMETRY_SWITCHES}:
    # Not FgdprepError: errors.py imports click, and this must stay the first thing run.
    raise ImportError(
        "onnxruntime was loaded before fgdprep, with its telemetry on: fgdprep cannot keep "
        f"this process offline. Import fgdprep first, or set {ORT_TELEMETRY_SWITCHES[0]}=1 "
        "before starting Python."
    )
for _switch in ORT_TELEMETRY_SWITCHES:
    os.environ[_switch] = "1"
os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""

from fgdprep.asr import cache_dir  # noqa: E402  (after the switches, see the docstring)

os.environ.setdefault("TLDEXTRACT_CACHE", str(cache_dir() / "tldextract"))
