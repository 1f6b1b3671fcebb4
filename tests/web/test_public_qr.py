"""QR codes of survey links and the share panel of the builder."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from public_pages import publish

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_qr_svg_is_valid_xml_and_encodes_the_public_link(client, api_headers, session):
    publish(session)
    answer = client.get("/api/v1/surveys/nps-page/qr.svg?lang=en&size=300", headers=api_headers)
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/svg+xml"
    root = ET.fromstring(answer.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert 200 <= int(root.get("width")) <= 300
    assert answer.headers["x-qr-link"] == "http://127.0.0.1:8000/s/nps-page?lang=en"


def test_qr_png_has_the_png_signature_and_grows_with_size(client, api_headers, session):
    publish(session)
    small = client.get("/api/v1/surveys/nps-page/qr.png?size=128", headers=api_headers)
    large = client.get("/api/v1/surveys/nps-page/qr.png?size=1024", headers=api_headers)
    assert small.status_code == large.status_code == 200
    assert small.content.startswith(PNG_SIGNATURE) and large.content.startswith(PNG_SIGNATURE)
    width = int.from_bytes(large.content[16:20], "big")  # IHDR width
    assert 800 <= width <= 1024 and len(large.content) > len(small.content)


def test_qr_needs_a_user_or_api_key_and_valid_parameters(client, api_headers, session):
    publish(session)
    assert client.get("/api/v1/surveys/nps-page/qr.svg").status_code == 401
    for bad, status in (("qr.gif", 422), ("qr.svg?size=9", 422), ("qr.svg?lang=de", 422)):
        assert client.get(f"/api/v1/surveys/nps-page/{bad}", headers=api_headers).status_code == (
            status
        )
    assert client.get("/api/v1/surveys/nope/qr.svg", headers=api_headers).status_code == 404


def test_share_page_shows_links_qr_snippet_and_saves_allowed_origins(logged_in_client, session):
    from otklik.listen.models import Survey

    survey = publish(session)
    page = logged_in_client.get(f"/surveys/{survey.id}/share")
    assert page.status_code == 200
    assert "http://127.0.0.1:8000/s/nps-page?lang=en" in page.text
    qr = re.search(r'<img src="(/api/v1/surveys/nps-page/qr.svg\?size=256)"', page.text).group(1)
    assert logged_in_client.get(qr).status_code == 200  # the logged-in user sees the QR
    assert "widget.js&#34; data-survey=&#34;nps-page&#34;" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    url = f"/surveys/{survey.id}/share/origins"
    bad = logged_in_client.post(url, data={"csrf_token": token, "allowed_origins": "shop"})
    assert bad.status_code == 422 and "allowed_origins line 1" in bad.text
    saved = logged_in_client.post(
        url,
        data={
            "csrf_token": token,
            "allowed_origins": "https://Shop.example.com/\n\nhttp://a.b:8080",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    session.expire_all()
    stored = session.get(Survey, survey.id).settings["allowed_origins"]
    assert stored == ["https://shop.example.com", "http://a.b:8080"]
    forged = logged_in_client.post(url, data={"csrf_token": "x", "allowed_origins": ""})
    assert forged.status_code == 403
