"""Text out of a PDF report, the form councils publish, with pypdf (pinned in requirements.lock).

The extracted text is what the cleaner reads and what every figure cites (file and line), so
``add-report`` stores it in data/raw/ beside the PDF, byte-for-byte as extracted here. pypdf's
``layout`` mode keeps a table's columns apart by runs of spaces, which the layout normaliser
(:mod:`analysis.clean.layout`) turns into cells. Pages are separated by a form feed line.
"""
from __future__ import annotations

from pathlib import Path

PDF_MAGIC = b"%PDF-"


class PdfTextError(ValueError):
    """A PDF that gives no text (a scan without a text layer, a damaged or encrypted file)."""


def is_pdf(path: Path) -> bool:
    with Path(path).open("rb") as fh:
        return fh.read(len(PDF_MAGIC)) == PDF_MAGIC


def pdf_text(path: Path) -> str:
    """Every page's text in layout mode, pages joined by a line holding a form feed; refuses a PDF with no text."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            reader.decrypt("")
        pages = [(page.extract_text(extraction_mode="layout") or "").rstrip() for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as error:
        raise PdfTextError(f"{path}: pypdf could not read the PDF ({error}); export the report as text instead") from None
    text = "\n\f\n".join(pages).replace("\r\n", "\n").replace("\r", "\n")
    if sum(c.isalnum() for c in text) < 50:
        raise PdfTextError(f"{path}: the PDF holds no text layer (a scanned document?); run OCR on it or export the "
                           "report as text, then add that")
    return "\n".join(line.rstrip() for line in text.split("\n")) + "\n"


def extractor_version() -> str:
    from importlib.metadata import version

    return f"pypdf {version('pypdf')}"
