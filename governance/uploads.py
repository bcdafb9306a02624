"""Limits for due-diligence evidence files: size, extension and a look at the first bytes."""

import math
import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

MB = 1024 * 1024
DEFAULT_MAX_BYTES = 10 * MB

# extension -> magic prefixes its contents must start with (None: text, checked separately)
ALLOWED = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "csv": None,
    "txt": None,
}
ALLOWED_LABEL = "PDF, PNG, JPG, DOCX, XLSX, CSV or TXT"


def max_bytes():
    return getattr(settings, "GOVERNANCE_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES)


def validate_evidence_file(upload):
    """Raise ValidationError with a message a user can act on, or return None."""
    name = os.path.basename(upload.name or "")
    extension = os.path.splitext(name)[1].lower().lstrip(".")
    if extension not in ALLOWED:
        raise ValidationError(
            f"“{name}” is not an allowed file type. Upload a {ALLOWED_LABEL} file.",
            code="file_type",
        )
    limit = max_bytes()
    if upload.size > limit:
        raise ValidationError(
            f"“{name}” is {_size(upload.size)}; files can be at most {_size(limit)}.",
            code="file_size",
        )
    if upload.size == 0:
        raise ValidationError(f"“{name}” is empty.", code="file_empty")
    head = _head(upload)
    prefixes = ALLOWED[extension]
    if prefixes is None:
        if b"\x00" in head:
            raise ValidationError(
                f"“{name}” does not look like a text file. Upload a {ALLOWED_LABEL} file.",
                code="file_content",
            )
    elif not head.startswith(prefixes):
        raise ValidationError(
            f"“{name}” does not look like a {extension.upper()} file; it may be damaged or "
            "renamed.",
            code="file_content",
        )


def _size(n):
    # Rounded up, so a file just over the limit never reads as the limit itself.
    if n < MB:
        return filesizeformat(n).replace("\xa0", " ")
    return f"{math.ceil(n * 100 / MB) / 100:g} MB"


def limit_label():
    return _size(max_bytes())


def _head(upload, size=2048):
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head
