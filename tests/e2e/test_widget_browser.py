"""The widget on a shop page served from another origin sends its answer to Otklik."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from public_fixtures import forget_responses, published, responses

pytestmark = pytest.mark.e2e
SLUG = "widget-shop"


@pytest.fixture
def shop(live_server):
    """A static 'shop' on a second loopback port that embeds the widget from the app."""
    page = f"""<!doctype html><html lang="en"><head><title>Shop</title></head><body>
<h1>Order placed</h1>
<script src="{live_server.url}/widget.js" data-survey="{SLUG}" data-delay="0.2"
        data-trigger="/checkout/done" data-lang="en" data-days="30"></script>
</body></html>""".encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_widget_on_another_origin_asks_nps_then_follow_up_and_stores_the_answer(
    browser, live_server, shop, tmp_path
):
    published(live_server, SLUG, settings={"allowed_origins": [shop]})
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    failed = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    try:
        page.goto(f"{shop}/elsewhere")
        page.wait_for_timeout(800)
        assert page.locator("[data-otklik-widget]").count() == 0  # wrong page: no widget
        page.goto(f"{shop}/checkout/done")
        dialog = page.get_by_role("dialog")
        dialog.wait_for()
        assert "Would you recommend us?" in dialog.locator("legend").inner_text()
        dialog.get_by_role("button", name="Next").click()
        assert dialog.locator(".e").inner_text() == "Please choose a score."
        dialog.locator("label:has(input[value='3'])").click()
        dialog.get_by_role("button", name="Next").click()
        follow = dialog.get_by_label("What went wrong at 3?")
        follow.wait_for()
        follow.fill("Delivery was late")
        page.screenshot(path=str(tmp_path / "widget.png"))
        dialog.get_by_role("button", name="Send").click()
        assert dialog.get_by_role("status").inner_text() == "Thank you, we will look into it."
        [row] = responses(live_server, SLUG)
        assert (row.source, row.channel, row.nps) == ("widget", "web", 3)
        assert row.answers == {"nps": 3, "why_low": "Delivery was late"}
        assert row.attributes == {"page": "/checkout/done"}
        assert failed == []
        # Same browser again: the widget stays away for data-days.
        page.reload()
        page.wait_for_timeout(800)
        assert page.locator("[data-otklik-widget]").count() == 0
    finally:
        context.close()
        forget_responses(live_server, SLUG)
