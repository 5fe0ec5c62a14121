"""Export formats: a small base class and an explicit name -> class registry
(:data:`FORMATS`), in the order ``fgdprep export --help`` lists them."""

from __future__ import annotations

from fgdprep.formats.export.base import (
    FORMATS,
    STYLES,
    ExportDoc,
    Exporter,
    ExportOptions,
    ReadUnit,
    make_exporters,
    register,
)
from fgdprep.formats.export.nvivo import NvivoDocxExporter, NvivoExporter
from fgdprep.formats.export.paragraphs import (
    DocxExporter,
    MaxqdaDocxExporter,
    MaxqdaTxtExporter,
    TxtExporter,
)
from fgdprep.formats.export.qdpx import QdpxExporter
from fgdprep.formats.export.timed import JsonExporter, RttmExporter, SrtExporter, VttExporter

for _cls in (
    DocxExporter,
    MaxqdaTxtExporter,
    MaxqdaDocxExporter,
    NvivoExporter,
    NvivoDocxExporter,
    QdpxExporter,
    TxtExporter,
    VttExporter,
    SrtExporter,
    JsonExporter,
    RttmExporter,
):
    register(_cls)

__all__ = [
    "FORMATS",
    "STYLES",
    "ExportDoc",
    "ExportOptions",
    "Exporter",
    "ReadUnit",
    "make_exporters",
    "register",
]
