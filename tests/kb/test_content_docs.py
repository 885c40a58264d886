"""`flask content import-docs`: a small docs-as-code set with every convention, end to end."""

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from app.editor.translations import translation_dashboard
from app.extensions import db
from app.kb.models import Article

TOC = """items:
- name: Overview
  href: overview.md
- name: Set up
  items:
  - name: Connect
    href: setup/connect.md
"""
OVERVIEW = """---
title: Overview of Widgets
description: "What widgets do, in one sentence."
ms.author: someone
tags: [widgets, intro]
---
# <a name="overview"></a>Overview of Widgets

Open https://\\<tenantname>.example.com and pick <name of your widget>.

> [!TIP]
> Read [how to connect](setup/connect.md#step-2-sign-in) first,
> then [prepare](setup/connect.md#step-1---prepare).

[!INCLUDE [shared](includes/shared.md)]

![A diagram of widgets](media/diagram.png)

![Missing picture alt words](media/missing.png)

:::zone pivot="desktop"
Desktop only words.
:::zone-end

See [the portal](/azure/portal) too.

Open the [full-size diagram](media/diagram.png#lightbox).
"""
CONNECT = """---
title: Connect a widget
description: Connect it.
---
# Connect a widget

## Step 1 - Prepare

<a name="signin"></a>
## Step 2: Sign in

Back to the [overview](../overview.md).

# Another top heading
"""
SHARED = "---\n---\nShared words from an include.\n"
CONNECT_JA = """---
title: ウィジェットを接続する
description: 接続します。
---
# ウィジェットを接続する

## 手順 1

> [!NOTE]
> 大事なこと。
"""


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def docs_set(tmp_path) -> Path:
    root = tmp_path / "docs"
    en = root / "en" / "Widgets"
    (en / "setup").mkdir(parents=True)
    (en / "includes").mkdir()
    (en / "media").mkdir()
    (en / "toc.yml").write_text(TOC, encoding="utf-8")
    (en / "overview.md").write_text(OVERVIEW, encoding="utf-8")
    (en / "setup" / "connect.md").write_text(CONNECT, encoding="utf-8")
    (en / "includes" / "shared.md").write_text(SHARED, encoding="utf-8")
    (en / "media" / "diagram.png").write_bytes(png_bytes())
    ja = root / "ja" / "Widgets" / "setup"
    ja.mkdir(parents=True)
    (ja / "connect.md").write_text(CONNECT_JA, encoding="utf-8")
    return root


def run_import(app, docs_set):
    return app.test_cli_runner().invoke(args=["content", "import-docs", str(docs_set)])


def test_import_docs_maps_everything_and_reports_what_it_could_not_render(any_db_app, docs_set):
    app = any_db_app
    result = run_import(app, docs_set)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "[en] added 2, updated 0, unchanged 0, kept 0, failed 0" in out
    assert "[ja] added 1" in out
    assert "NOT RENDERED en:overview.md:19: image not found: media/missing.png" in out
    assert "NOT RENDERED en:overview.md:21: docfx ':::' block shown as text" in out
    assert "NOT RENDERED en:overview.md:25: link outside the set: /azure/portal" in out
    assert "NOT RENDERED en:setup/connect.md" not in out

    client = app.test_client()
    with app.app_context():
        overview = db.session.scalar(select(Article).filter_by(locale="en", slug="overview"))
        assert overview.title == "Overview of Widgets"
        assert overview.summary == "What widgets do, in one sentence."
        assert overview.tags == ["widgets", "intro"]
        assert overview.category.slug == "widgets"  # not under a section: the set's name
        connect = db.session.scalar(select(Article).filter_by(locale="en", slug="setup-connect"))
        assert connect.category.slug == "set-up" and connect.category.names["en"] == "Set up"
        ja = db.session.scalar(select(Article).filter_by(locale="ja", slug="setup-connect"))
        assert ja.translation_key == connect.translation_key
        assert ja.category.id == connect.category.id  # a translation joins its source
        reports = {r.locale: r for r in translation_dashboard()}
        assert reports["ja"].outdated == []

    page = client.get("/en/articles/overview").get_data(as_text=True)
    assert "https://&lt;tenantname&gt;.example.com" in page
    assert "&lt;name of your widget&gt;" in page
    assert "Shared words from an include." in page
    assert "Missing picture alt words" in page and "Desktop only words." in page
    assert "<h2>Overview of Widgets</h2>" not in page  # the repeated title heading is gone
    assert 'id="overview"' in page
    assert re.search(r'<p class="admonition-title">Tip</p>', page)
    image = re.search(r'<img src="(/media/[0-9a-f]{32}\.png)" alt="A diagram of widgets">', page)
    assert f'<a href="{image.group(1)}"' in page  # a link to the image: the same stored file
    with client.get(image.group(1)) as served:
        assert served.status_code == 200 and served.mimetype == "image/png"
    links = re.findall(r'href="(/en/articles/setup-connect)#([^"]+)"', page)
    # GitHub's anchor for "Step 1 - Prepare" is step-1---prepare: rewritten to the real id.
    assert [anchor for _url, anchor in links] == ["step-2-sign-in", "step-1-prepare"]
    target = client.get(links[0][0]).get_data(as_text=True)
    assert 'id="step-2-sign-in"' in target and 'id="step-1-prepare"' in target
    assert 'id="signin"' in target  # the <a name> anchor kept as an id
    assert '<h2 id="another-top-heading">' in target  # other h1 demoted, not dropped
    assert 'href="/en/articles/overview"' in target
    japanese = client.get("/ja/articles/setup-connect").get_data(as_text=True)
    assert '<p class="admonition-title">メモ</p>' in japanese

    again = run_import(app, docs_set)
    assert "[en] added 0, updated 0, unchanged 2" in again.output
    assert "[ja] added 0, updated 0, unchanged 1" in again.output
    with app.app_context():
        assert db.session.scalar(select(Article).filter_by(slug="overview")).body_html == (
            overview.body_html
        )

    connect_file = docs_set / "en" / "Widgets" / "setup" / "connect.md"
    connect_file.write_text(CONNECT + "\nA new paragraph.\n", encoding="utf-8")
    changed = run_import(app, docs_set)
    assert "[en] added 0, updated 1, unchanged 1" in changed.output
    with app.app_context():
        outdated = {r.locale: [t.slug for t, _s in r.outdated] for r in translation_dashboard()}
        assert outdated["ja"] == ["setup-connect"]  # the source changed after the translation


def test_import_docs_refuses_an_unknown_locale_and_a_folder_without_sets(app, tmp_path):
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["content", "import-docs", str(tmp_path), "--locale", "xx"])
    assert bad.exit_code != 0 and "--locale" in bad.output
    empty = runner.invoke(args=["content", "import-docs", str(tmp_path)])
    assert empty.exit_code != 0 and "no folder per locale" in empty.output
