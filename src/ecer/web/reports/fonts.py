"""The CJK font of the PDF reports.

``ECER_PDF_FONT`` names an OTF/TTF file; when it is empty, the Simplified Chinese face of the
system's Noto Sans CJK collection (Debian package fonts-noto-cjk, which ``make browser`` and
``make run`` install) is extracted with fontTools once and kept under DATA_DIR/fonts: fpdf2
embeds a single CFF-based OpenType face, not a collection.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from django.conf import settings

SYSTEM_COLLECTIONS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
)
FACE_SUFFIX = "CJK SC"
_lock = threading.Lock()


class FontMissing(RuntimeError):
    """No CJK font: the message says what to install or set, in Chinese and English."""


def _face_name(font: object) -> str:
    name = font["name"]  # type: ignore[index]
    return str(name.getDebugName(4) or name.getDebugName(1) or "")


def extract_sc_face(collection: Path, target: Path) -> Path:
    """Save the collection's face whose full name ends with "CJK SC" as ``target``."""
    from fontTools.ttLib import TTCollection

    fonts = TTCollection(str(collection)).fonts
    for font in fonts:
        if _face_name(font).endswith(FACE_SUFFIX):
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.partial")
            font.save(str(partial))
            partial.replace(target)  # another process never sees half a file
            return target
    raise FontMissing(
        f"{collection} 中没有简体中文（{FACE_SUFFIX}）字体 / "
        f"no Simplified Chinese ({FACE_SUFFIX}) face in {collection}"
    )


def cjk_font_path() -> Path:
    """The font file the PDF reports embed; :class:`FontMissing` when there is none."""
    configured = str(getattr(settings, "ECER_PDF_FONT", "") or "")
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise FontMissing(
                f"ECER_PDF_FONT 指向的字体文件不存在：{path} / "
                f"the font file ECER_PDF_FONT names does not exist: {path}"
            )
        return path
    cached = Path(settings.DATA_DIR) / "fonts" / "NotoSansCJKsc-Regular.otf"
    if cached.is_file():
        return cached
    with _lock:
        if cached.is_file():
            return cached
        for collection in SYSTEM_COLLECTIONS:
            if collection.is_file():
                return extract_sc_face(collection, cached)
    raise FontMissing(
        "未找到中文字体：请安装 fonts-noto-cjk（make fonts），"
        "或用 ECER_PDF_FONT 指定 OTF/TTF 字体文件 / "
        "no CJK font found: install fonts-noto-cjk (make fonts) or set ECER_PDF_FONT to an "
        "OTF/TTF font file"
    )
