"""Build the handout fonts in kb/courses/fonts/ from Debian's fonts-noto-cjk (OFL-1.1).

Why: Noto CJK ships CFF outlines, which Chromium's PDF backend (Skia) cannot embed as a font: it
draws every glyph as a Type 3 path instead, so a 6-page handout weighed 0.8–1 MB and its text
copied out as Kangxi radicals (⼈ for 人). A TrueType (glyf) font is embedded as a subset
CIDFontType2 with a proper ToUnicode map, a few hundred KB for a whole course.

What: the simplified-Chinese faces the handout uses (sans and serif, regular and bold: a weight
Chromium has to synthesise is drawn as Type 3 again),
reduced to GB 2312's level-1 characters (the 3,755 most common hanzi), its symbol rows, ASCII,
the usual punctuation blocks and every character of the demo content (fixtures/), converted from
cubic CFF outlines to quadratic TrueType ones, layout tables and hinting dropped, renamed
"KB Handout Sans" / "KB Handout Serif" so they never shadow the system's Noto. A character
outside the set falls back to the system font (drawn as Type 3, still correct).

Run (needs fonttools from the dev extras; about a minute, once, output committed):
    .venv/bin/python tools/build_handout_fonts.py
"""

import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "kb" / "courses" / "fonts"
SYSTEM = Path("/usr/share/fonts/opentype/noto")
SC_INDEX = 2  # in Debian's .ttc collections: JP, KR, SC, TC, HK …
FACES = [
    # (source collection, output file, family, subfamily, weight class)
    ("NotoSansCJK-Regular.ttc", "KBHandoutSans-Regular.ttf", "KB Handout Sans", "Regular", 400),
    ("NotoSansCJK-Bold.ttc", "KBHandoutSans-Bold.ttf", "KB Handout Sans", "Bold", 700),
    ("NotoSerifCJK-Regular.ttc", "KBHandoutSerif-Regular.ttf", "KB Handout Serif", "Regular", 400),
    ("NotoSerifCJK-Bold.ttc", "KBHandoutSerif-Bold.ttf", "KB Handout Serif", "Bold", 700),
]
EXTRA_RANGES = [
    (0x20, 0x7E),  # ASCII
    (0xA0, 0xFF),  # Latin-1 (·, ×, é …)
    (0x2000, 0x206F),  # general punctuation (“”、…、—)
    (0x2100, 0x21FF),  # letterlike symbols, arrows (→)
    (0x2460, 0x24FF),  # ①…
    (0x3000, 0x303F),  # CJK symbols and punctuation (、。《》【】)
    (0xFF00, 0xFFEF),  # full-width forms (，：；（）)
]


def characters():
    chars = set()
    for low, high in EXTRA_RANGES:
        chars.update(chr(code) for code in range(low, high + 1))
    # GB 2312 rows 1–9 (symbols, full-width forms, kana, Greek, Cyrillic …) and 16–55 (level 1).
    for row in [*range(0xA1, 0xAA), *range(0xB0, 0xD8)]:
        for cell in range(0xA1, 0xFF):
            try:
                chars.add(bytes([row, cell]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    for path in (ROOT / "fixtures").rglob("*.md"):
        chars.update(path.read_text(encoding="utf-8"))
    return sorted(char for char in chars if char.isprintable() or char == "\u3000")


def to_truetype(font):
    """Replace the CFF table with glyf/loca: each cubic contour approximated by quadratic ones
    within 1 unit (of 1,000 per em)."""
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    maxp.numGlyphs = len(order)
    font["maxp"] = maxp
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0  # no glyph names
    font.sfntVersion = "\0\1\0\0"


def rename(font, family, style):
    names = font["name"]
    full = f"{family} {style}" if style != "Regular" else family
    postscript = f"{family.replace(' ', '')}-{style}"
    copyright = names.getDebugName(0)  # the source's own notice, kept
    version = names.getDebugName(5)
    names.names = []
    for name_id, value in [
        (0, f"{copyright} Reduced from Noto CJK SC {version.split(';')[0]}."),
        (1, family),
        (2, style),
        (3, postscript),
        (4, full),
        (6, postscript),
        (13, "SIL Open Font License, Version 1.1"),
    ]:
        names.setName(value, name_id, 3, 1, 0x409)


def build(face, chars):
    source, target, family, style, weight = face
    font = TTFont(SYSTEM / source, fontNumber=SC_INDEX, lazy=True)
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(char) for char in chars])
    subsetter.subset(font)
    to_truetype(font)
    rename(font, family, style)
    font["OS/2"].usWeightClass = weight
    font.recalcTimestamp = False
    path = OUT / target
    font.save(path, reorderTables=True)
    return f"{path.relative_to(ROOT)}: {len(font.getGlyphOrder())} glyphs, {path.stat().st_size:,} bytes"


def main():
    if not SYSTEM.is_dir():
        sys.exit(f"{SYSTEM} is missing: apt-get install fonts-noto-cjk")
    chars = characters()
    print(f"{len(chars)} characters")
    OUT.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(2) as pool:
        for line in pool.map(build, FACES, [chars] * len(FACES)):
            print(line)


if __name__ == "__main__":
    main()
