"""Chinese in matplotlib charts: a CJK font is found and used, or the reason is given."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from canal.charts import NO_CJK_FONT, cjk_font_family, fontconfig_has_cjk, use_cjk_font


def test_chinese_labels_draw_with_a_cjk_font_and_no_missing_glyph(tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if cjk_font_family() is None:
        with pytest.warns(UserWarning, match="fonts-noto-cjk"):
            assert use_cjk_font() is None
        pytest.skip(NO_CJK_FONT)
    family = use_cjk_font()
    assert family is not None and matplotlib.rcParams["font.sans-serif"][0] == family
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.set_title("投资 亿元 中试")
        fig.savefig(tmp_path / "zh.png")
        plt.close(fig)
    assert not [w for w in caught if "missing from" in str(w.message)], [str(w.message) for w in caught]


def test_fontconfig_knows_whether_pngs_can_show_chinese() -> None:
    assert fontconfig_has_cjk() in (True, False, None)
