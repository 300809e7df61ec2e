"""Charset detection: header, then meta, then a guess; GBK read as GB18030; never raises."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from govsite.pages.decode import decode_html, normalise_encoding


def detect_encoding(body, content_type=None):
    return decode_html(body, content_type)[1]


TEXT = "政府信息公开目录"


def test_header_charset_wins_over_meta():
    body = f'<meta charset="utf-8">{TEXT}'.encode("gbk")
    assert decode_html(body, "text/html; charset=GBK") == (
        f'<meta charset="utf-8">{TEXT}',
        "gb18030",
    )


def test_meta_charset_is_used_without_a_header():
    body = f'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">{TEXT}'
    text, enc = decode_html(body.encode("gbk"), "text/html")
    assert enc == "gb18030" and TEXT in text


def test_gb2312_labelled_pages_with_gbk_only_characters_decode():
    body = '<meta charset="gb2312">镕'.encode("gbk")  # 镕 is in GBK, not in GB2312
    assert "镕" in decode_html(body)[0]


def test_undeclared_pages_are_guessed():
    assert detect_encoding(TEXT.encode("utf-8")) == "utf-8"
    assert detect_encoding(f"<p>{TEXT}</p>".encode("gbk")) == "gb18030"


def test_invalid_bytes_become_replacement_characters():
    text, enc = decode_html(b"<p>\xe6\x94\xbf\xff\xfe</p>", "text/html; charset=utf-8")
    assert enc == "utf-8" and "\ufffd" in text and text.startswith("<p>政")


def test_bom_wins():
    assert detect_encoding(b"\xef\xbb\xbfabc", "text/html; charset=gbk") == "utf-8"


def test_labels_are_normalised():
    assert normalise_encoding("x-gbk") == "gb18030"
    assert normalise_encoding("GB_2312-80") == "gb18030"
    assert normalise_encoding("no-such-charset") is None


@given(
    st.binary(max_size=500),
    st.sampled_from([None, "text/html", "text/html; charset=bogus", "text/html; charset=gbk"]),
)
def test_decoding_never_raises(body, content_type):
    text, _ = decode_html(body, content_type)
    assert isinstance(text, str)
