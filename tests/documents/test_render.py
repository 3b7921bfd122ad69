"""Rendering never fetches a remote URL: only static files and data: URIs."""

import base64

import pytest

from yishi.documents.render import LocalFetcher, RefusedURL, html_to_pdf, page_counter_css
from yishi.settings import PROJECT_ROOT

PIXEL = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000100ffff03000006000557bfab"
        "d40000000049454e44ae426082"
    )
).decode()


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/logo.png",
        "http://127.0.0.1:8000/static/css/yishi.css",
        "ftp://example.com/x",
        "file:///etc/passwd",
        f"{(PROJECT_ROOT / 'var' / 'secret_key').as_uri()}",
        f"{PROJECT_ROOT.as_uri()}/static/../var/secret_key",
    ],
)
def test_the_url_fetcher_refuses_anything_but_static_files_and_data_uris(url):
    with pytest.raises(RefusedURL):
        LocalFetcher().fetch(url)


def test_the_url_fetcher_serves_a_static_file_and_a_data_uri():
    fetcher = LocalFetcher()
    css = fetcher.fetch(f"{PROJECT_ROOT.as_uri()}/static/css/yishi.css")
    assert b"Noto Sans CJK SC" in css.read()
    image = fetcher.fetch(f"data:image/png;base64,{PIXEL}")
    assert image.read().startswith(b"\x89PNG")


def test_a_document_asking_for_a_remote_image_renders_without_it():
    html = (
        '<html><body><p>远程图片不会被下载</p><img src="https://example.com/tracker.png">'
        f'<img src="data:image/png;base64,{PIXEL}"></body></html>'
    )
    rendered = html_to_pdf(html)
    assert rendered.pages == 1 and rendered.data.startswith(b"%PDF")
    assert rendered.refused_urls == ("https://example.com/tracker.png",)


def test_page_numbers_become_css_counters_in_either_language():
    assert page_counter_css("第 {page} 页 / 共 {pages} 页") == '"第 " counter(page) " 页 / 共 " counter(pages) " 页"'
    assert page_counter_css("Page {page} of {pages}") == '"Page " counter(page) " of " counter(pages)'
