"""decode_html: declarations are hints checked against the bytes; bad bytes never raise."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govsite.pages.decode import decode_html, normalise_encoding

CHINESE = "国务院办公厅关于印发政府网站发展指引的通知"


def page(charset: str, body: str = CHINESE) -> str:
    return (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        f"<title>{body}</title></head><body><p>{body}</p></body></html>"
    )


def test_utf8_bytes_declared_gb2312_in_meta_decode_as_utf8():
    text, encoding = decode_html(page("gb2312").encode("utf-8"), None)
    assert encoding == "utf-8"
    assert CHINESE in text


def test_utf8_bytes_declared_gbk_in_http_header_decode_as_utf8():
    text, encoding = decode_html(page("utf-8").encode("utf-8"), "text/html; charset=GBK")
    assert encoding == "utf-8"
    assert CHINESE in text


def test_genuine_gb2312_bytes_decode_as_gb18030():
    text, encoding = decode_html(page("gb2312").encode("gb2312"), None)
    assert encoding == "gb18030"
    assert CHINESE in text


def test_gb2312_label_on_gbk_only_characters_still_decodes_them():
    # 镕 and 喆 are outside GB2312 but inside GBK: pages labelled gb2312 use them anyway.
    body = page("gb2312", "朱镕基 陶喆").encode("gbk")
    text, encoding = decode_html(body, None)
    assert encoding == "gb18030"
    assert "朱镕基 陶喆" in text


def test_http_header_charset_wins_over_meta_for_non_utf8_bytes():
    body = page("big5").encode("gb18030")
    text, encoding = decode_html(body, "text/html; charset=gb18030")
    assert encoding == "gb18030"
    assert CHINESE in text


def test_meta_charset_attribute_form_is_read():
    body = f'<html><head><meta charset="gbk"></head><body>{CHINESE}</body></html>'.encode("gbk")
    assert decode_html(body, None) == (
        f'<html><head><meta charset="gbk"></head><body>{CHINESE}</body></html>',
        "gb18030",
    )


def test_utf8_bom_is_honoured_and_stripped():
    text, encoding = decode_html(codecs.BOM_UTF8 + page("gbk").encode("utf-8"), "charset=gbk")
    assert encoding == "utf-8"
    assert text.startswith("<html>")


def test_utf16_bom_is_honoured():
    text, encoding = decode_html(codecs.BOM_UTF16_LE + page("utf-16").encode("utf-16-le"), None)
    assert encoding == "utf-16-le"
    assert CHINESE in text


def test_log_line_before_html_does_not_hide_the_meta_charset():
    log = "2020-03-09 16:33:33,237 - spider.py[line:11] - INFO: 抓取完成 http://x.gov.cn/\n"
    text, encoding = decode_html((log + page("gbk")).encode("gbk"), None)
    assert encoding == "gb18030"
    assert text.startswith("2020-03-09") and CHINESE in text


@pytest.mark.parametrize("repeat", [1, 20])
def test_undeclared_gbk_page_is_read_as_gbk_even_when_short(repeat):
    # Detectors guess Korean (cp949) for a few GBK characters.
    body = ("<html><body>" + CHINESE * repeat + "</body></html>").encode("gbk")
    text, encoding = decode_html(body, None)
    assert encoding == "gb18030"
    assert CHINESE in text


def test_undeclared_cyrillic_page_is_left_to_detection():
    body = "<p>Привет, как дела? Всё хорошо, спасибо.</p>".encode("cp1251")
    text, encoding = decode_html(body, None)
    assert "Привет" in text and encoding == "cp1251"


def test_undeclared_utf8_page_is_utf8():
    assert decode_html(("<p>" + CHINESE + "</p>").encode("utf-8"), None)[1] == "utf-8"


def test_invalid_bytes_in_a_gbk_page_are_replaced_not_raised():
    body = page("gbk").encode("gbk") + b"\xff\xfe\x81" + "尾部".encode("gbk")
    text, encoding = decode_html(body, None)
    assert encoding == "gb18030"
    assert CHINESE in text and "\ufffd" in text


def test_invalid_bytes_in_a_utf8_page_are_replaced_not_raised():
    body = page("utf-8").encode("utf-8") + b"\xc3\x28\xa0\xa1\xff"
    text, encoding = decode_html(body, "text/html; charset=utf-8")
    assert encoding == "utf-8"
    assert CHINESE in text and "\ufffd" in text


def test_utf8_page_cut_in_the_middle_of_a_character_stays_utf8():
    body = page("gb2312").encode("utf-8") + "中".encode()[:2]
    text, encoding = decode_html(body, None)
    assert encoding == "utf-8"
    assert CHINESE in text


def test_unknown_charset_label_is_ignored():
    text, encoding = decode_html(page("x-no-such-charset").encode("utf-8"), None)
    assert encoding == "utf-8" and CHINESE in text


def test_latin1_label_on_gbk_bytes_reads_chinese():
    text, encoding = decode_html(page("iso-8859-1").encode("gbk"), None)
    assert encoding == "gb18030" and CHINESE in text


def test_empty_body_decodes_to_empty_text():
    assert decode_html(b"", None) == ("", "utf-8")


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("GB2312", "gb18030"),
        ("gbk", "gb18030"),
        ("x-gbk", "gb18030"),
        ("GB_2312-80", "gb18030"),
        ("UTF8", "utf-8"),
        ("utf-8", "utf-8"),
        ("Big5", "big5hkscs"),
        ("iso-8859-1", "cp1252"),
        ("nonsense", None),
        ("", None),
    ],
)
def test_charset_labels_map_to_the_codec_we_decode_with(label, codec):
    assert normalise_encoding(label) == codec


@settings(max_examples=200, deadline=None)
@given(
    body=st.binary(max_size=3000),
    header=st.sampled_from([None, "text/html", "text/html; charset=gbk", "charset=utf-8"]),
)
def test_any_bytes_decode_without_raising(body, header):
    text, encoding = decode_html(body, header)
    assert isinstance(text, str) and codecs.lookup(encoding)


def test_server_default_utf8_header_on_a_gbk_page_falls_back_to_the_meta_charset():
    text, encoding = decode_html(page("gbk").encode("gbk"), "text/html; charset=UTF-8")
    assert encoding == "gb18030" and CHINESE in text


def test_server_default_utf8_header_on_undeclared_gbk_bytes_reads_chinese():
    body = ("<html><body>" + CHINESE * 3 + "</body></html>").encode("gbk")
    text, encoding = decode_html(body, "text/html; charset=utf-8")
    assert encoding == "gb18030" and CHINESE in text
