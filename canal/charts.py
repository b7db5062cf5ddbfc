"""Chinese text in charts: find a CJK font and make matplotlib use it.

matplotlib's default fonts have no Chinese glyphs, so a label such as ``亿元`` draws as
empty boxes. :func:`use_cjk_font` finds an installed font that covers Chinese (Noto Sans
CJK, Source Han Sans, WenQuanYi, SimHei, Microsoft YaHei, PingFang...) and puts it first
in matplotlib's sans-serif list; when there is none it says so (a :class:`UserWarning`
naming the package to install) and leaves matplotlib as it was.

>>> family = cjk_font_family()
>>> family is None or isinstance(family, str)
True
"""

from __future__ import annotations

import warnings
from functools import cache

__all__ = ["CJK_FAMILIES", "NO_CJK_FONT", "cjk_font_family", "fontconfig_has_cjk", "use_cjk_font"]

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Noto Serif CJK SC",
)
"""Font families that cover Chinese, preferred first."""

NO_CJK_FONT = (
    "no font with Chinese glyphs was found, so Chinese text in charts and PNG maps shows as empty boxes; "
    "install one (Debian/Ubuntu: apt-get install fonts-noto-cjk; macOS and Windows have one already)"
)


@cache
def cjk_font_family() -> str | None:
    """The first installed family of :data:`CJK_FAMILIES` matplotlib can use, or None."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    # a font matplotlib has not indexed yet (installed after its cache was built)
    for path in font_manager.findSystemFonts():
        low = path.lower()
        if any(k in low for k in ("notosanscjk", "noto-cjk", "wqy", "sourcehansans", "simhei", "msyh", "droidsansfallback")):
            try:
                font_manager.fontManager.addfont(path)
                return str(font_manager.FontProperties(fname=path).get_name())
            except (OSError, RuntimeError, ValueError):
                continue
    return None


def use_cjk_font() -> str | None:
    """Make matplotlib draw Chinese: returns the family used, or None (with a warning) when none is installed."""
    import matplotlib

    family = cjk_font_family()
    if family is None:
        warnings.warn(NO_CJK_FONT, UserWarning, stacklevel=2)
        return None
    current = [f for f in matplotlib.rcParams["font.sans-serif"] if f != family]
    matplotlib.rcParams["font.sans-serif"] = [family, *current]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False  # CJK fonts often lack U+2212
    return family


def fontconfig_has_cjk() -> bool | None:
    """Whether fontconfig (what Chromium draws PNG maps with) knows a Chinese font; None without ``fc-list``."""
    import shutil
    import subprocess

    exe = shutil.which("fc-list")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, ":lang=zh", "family"], capture_output=True, text=True, timeout=30, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return bool(out.strip())
