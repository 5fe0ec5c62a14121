"""Imported by ``fgdprep/__init__.py``, so before Presidio is.

Presidio's e-mail recognizer makes tldextract fetch the public suffix list from the web (with
no timeout) on first use. fgdprep never downloads at run time: with no URLs tldextract uses
the snapshot it ships; its cache goes into fgdprep's cache folder.
"""

from __future__ import annotations

import os

from fgdprep.asr import cache_dir

os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
os.environ.setdefault("TLDEXTRACT_CACHE", str(cache_dir() / "tldextract"))
