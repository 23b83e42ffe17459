"""Copy the precompiled GOV.UK Frontend, MOJ Frontend and htmx files into static/vendor.

The @font-face rules for GDS Transport are removed: this service is not on GOV.UK,
so it may not use that typeface; text falls back to Arial/sans-serif. Absolute
/assets/ URLs in the CSS become relative so the files work under any STATIC_URL.
The crown and GOV.UK logo images are not copied.
"""

import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "node_modules"
VENDOR = ROOT / "static" / "vendor"

FONT_FACE = re.compile(r"@font-face\{[^}]*\}")
ABSOLUTE_ASSETS = re.compile(r"url\(/assets/")
ASSET_URL = re.compile(r"url\((assets/[^)]+)\)")
TRANSPORT_FONT = re.compile(r"font-family:\s*\"?GDS Transport\"?,\s*")
GOVUK_BRANDING = ("crown", "crest", "govuk-icon", "govuk-opengraph", "logotype", "favicon")


def _copy_css(source: Path, target: Path):
    css = source.read_text(encoding="utf-8")
    css = FONT_FACE.sub("", css)
    css = TRANSPORT_FONT.sub("font-family:", css)
    css = ABSOLUTE_ASSETS.sub("url(assets/", css)
    css = re.sub(r"/\*# sourceMappingURL=.*?\*/", "", css)

    def keep_if_copied(match):
        # Images left out (GOV.UK branding) are dropped from the CSS too.
        return match.group(0) if (target.parent / match.group(1)).exists() else "none"

    css = ASSET_URL.sub(keep_if_copied, css)
    target.write_text(css, encoding="utf-8")


def _copy_images(source: Path, target: Path):
    target.mkdir(parents=True, exist_ok=True)
    for image in source.iterdir():
        if image.is_file() and not any(word in image.name for word in GOVUK_BRANDING):
            shutil.copy2(image, target / image.name)


def _copy_js(source: Path, target: Path):
    js = source.read_text(encoding="utf-8")
    target.write_text(re.sub(r"//# sourceMappingURL=.*$", "", js, flags=re.M), encoding="utf-8")


def main():
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    govuk = MODULES / "govuk-frontend" / "dist" / "govuk"
    moj = MODULES / "@ministryofjustice" / "frontend" / "moj"
    for name, dist, css, js in (
        ("govuk", govuk, "govuk-frontend.min.css", "govuk-frontend.min.js"),
        ("moj", moj, "moj-frontend.min.css", "moj-frontend.min.js"),
    ):
        target = VENDOR / name
        target.mkdir(parents=True)
        _copy_images(dist / "assets" / "images", target / "assets" / "images")
        _copy_css(dist / css, target / css)
        _copy_js(dist / js, target / js)
    (VENDOR / "htmx").mkdir()
    shutil.copy2(MODULES / "htmx.org" / "dist" / "htmx.min.js", VENDOR / "htmx" / "htmx.min.js")
    print(f"Front-end assets copied to {VENDOR.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
