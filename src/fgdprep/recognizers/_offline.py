"""Imported before Presidio: its e-mail recognizer makes tldextract fetch the public suffix
list from the web (with no timeout) on first use. We never download at run time: no URLs,
so tldextract uses the snapshot it ships, and a cache folder of ours."""

from __future__ import annotations

import os

from fgdprep.asr import cache_dir

os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
os.environ.setdefault("TLDEXTRACT_CACHE", str(cache_dir() / "tldextract"))
