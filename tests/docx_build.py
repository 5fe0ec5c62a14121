"""A real Word file in every part a name can hide in, built with python-docx (and, where it
has no API, the part's XML written by hand): body with mixed formatting, a nested table, a
text box, a hyperlink, a footnote, an endnote-free comment, headers and footers of two sections
(first page and even pages too), a tracked change, core, app and custom properties, custom
XML data."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.enum.section import WD_SECTION
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.shared import RGBColor

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"


def _footnotes(text: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes {W_NS}>'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
        "</w:footnote>"
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
        "<w:continuationSeparator/></w:r></w:p></w:footnote>"
        f'<w:footnote w:id="1"><w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'
        "</w:footnote></w:footnotes>"
    ).encode()


def _custom(name: str, value: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties'
        ' xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
        ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2"'
        f' name="{name}"><vt:lpwstr>{value}</vt:lpwstr></property></Properties>'
    ).encode()


def _textbox(text: str) -> str:
    return (
        f'<w:r {W_NS} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
        ' xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
        ' xmlns:v="urn:schemas-microsoft-com:vml">'
        '<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:wsp><wps:txbx>'
        f'<w:txbxContent><w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'
        "</w:txbxContent></wps:txbx></wps:wsp></w:drawing></mc:Choice><mc:Fallback><w:pict>"
        f'<v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t xml:space="preserve">{text}</w:t>'
        "</w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r>"
    )


def build(path: Path, parts: dict[str, str]) -> Path:
    """``parts``: text per place (keys below); a name planted in each place by the caller."""
    document = docx.Document()
    props = document.core_properties
    props.author = parts["author"]
    props.last_modified_by = parts["last_modified_by"]
    props.title = parts["title"]
    props.subject = parts["subject"]
    props.keywords = parts["keywords"]
    props.comments = parts["comments"]

    section = document.sections[0]
    section.different_first_page_header_footer = True
    document.settings.odd_and_even_pages_header_footer = True
    section.header.paragraphs[0].text = parts["header"]
    section.footer.paragraphs[0].text = parts["footer"]
    section.first_page_header.paragraphs[0].text = parts["first_header"]
    section.even_page_footer.paragraphs[0].text = parts["even_footer"]

    # mixed formatting: plain, bold, italic red, plain
    p = document.add_paragraph()
    for text, style in parts["runs"]:
        run = p.add_run(text)
        run.bold = "b" in style
        run.italic = "i" in style
        if "r" in style:
            run.font.color.rgb = RGBColor(0xC0, 0, 0)
    document.add_paragraph(parts["body"])

    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = parts["cell"]
    inner = table.cell(0, 1).add_table(rows=1, cols=1)
    inner.cell(0, 0).text = parts["nested_cell"]

    box = document.add_paragraph("Box: ")
    box._p.append(parse_xml(_textbox(parts["textbox"])))

    link = document.add_paragraph("Write to ")
    rid = document.part.relate_to(parts["link_target"], RT.HYPERLINK, is_external=True)
    link._p.append(
        parse_xml(
            f'<w:hyperlink {W_NS} xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
            f'2006/relationships" r:id="{rid}"><w:r><w:t>{parts["link_text"]}</w:t></w:r>'
            "</w:hyperlink>"
        )
    )

    tracked = document.add_paragraph("Changed: ")
    tracked._p.append(
        parse_xml(
            f'<w:del {W_NS} w:id="91" w:author="{parts["comment_author"]}"'
            ' w:date="2026-11-01T00:00:00Z"><w:r>'
            f"<w:delText>{parts['deleted']}</w:delText></w:r></w:del>"
        )
    )
    tracked._p.append(
        parse_xml(
            f'<w:ins {W_NS} w:id="92" w:author="{parts["comment_author"]}"'
            f' w:date="2026-11-01T00:00:00Z"><w:r><w:t>{parts["inserted"]}</w:t></w:r></w:ins>'
        )
    )

    noted = document.add_paragraph("See the note")
    noted._p.append(parse_xml(f'<w:r {W_NS}><w:footnoteReference w:id="1"/></w:r>'))
    package = document.part.package
    footnotes = Part(
        PackURI("/word/footnotes.xml"), FOOTNOTES_CT, _footnotes(parts["footnote"]), package
    )
    document.part.relate_to(footnotes, RT.FOOTNOTES)

    commented = document.add_paragraph("A remark.")
    document.add_comment(
        commented.runs, text=parts["comment"], author=parts["comment_author"], initials="KW"
    )

    second = document.add_section(WD_SECTION.NEW_PAGE)
    second.header.is_linked_to_previous = False
    second.header.paragraphs[0].text = parts["header2"]
    document.add_paragraph("Second section.")

    custom = Part(
        PackURI("/docProps/custom.xml"), CUSTOM_CT, _custom("Interviewer", parts["custom"]), package
    )
    package.relate_to(custom, CUSTOM_RT)
    for part in package.iter_parts():
        if str(part.partname) == "/docProps/app.xml":
            part._blob = part.blob.replace(
                b"</Properties>",
                f"<Company>{parts['company']}</Company><Manager>{parts['manager']}</Manager>"
                "</Properties>".encode(),
            )
        if str(part.partname).startswith("/customXml/item") and "Props" not in str(part.partname):
            part._blob = (  # data bound to content controls
                f'<?xml version="1.0" encoding="UTF-8"?><data><name>{parts["custom_xml"]}</name>'
                "</data>"
            ).encode()
    document.save(str(path))
    return path
