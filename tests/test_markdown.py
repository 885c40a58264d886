"""app/markdown.py: features render, hostile input comes out inert."""

import pytest

from app.markdown import render_markdown

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    "<svg><script>alert(1)</script></svg>",
    '<svg onload="alert(1)"><circle r="5"/></svg>',
    '<iframe src="https://evil.example"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<form action="https://evil.example"><input name="x"></form>',
    '<p class="x" id="a b" onclick="alert(1)">hi</p>',
]


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_markdown_renders_inert(source):
    html = render_markdown(source).html.lower()
    for needle in (
        "<script",
        "onerror",
        "onload",
        "onclick",
        "javascript:",
        "data:text",
        "<iframe",
        "<svg",
        "style=",
        "<form",
        "<input",
    ):
        assert needle not in html


def test_supported_markdown_features():
    source = "\n".join(
        [
            "## Set up",
            "",
            "| Plan | Price |",
            "|---|---|",
            "| Team | 8 |",
            "",
            "```bash",
            "curl https://api.example",
            "```",
            "",
            '!!! tip "Good to know"',
            "    Indented note.",
            "",
            "- [x] done",
            "- [ ] to do",
            "",
            "### Details",
        ]
    )
    rendered = render_markdown(source)
    assert '<h2 id="set-up">Set up</h2>' in rendered.html
    assert "<table>" in rendered.html and "<td>Team</td>" in rendered.html
    assert '<code class="language-bash">' in rendered.html
    assert 'class="admonition tip"' in rendered.html and "Good to know" in rendered.html
    assert "☑" in rendered.html and "☐" in rendered.html
    assert [(h.level, h.anchor) for h in rendered.headings] == [(2, "set-up"), (3, "details")]


def test_non_latin_headings_get_anchors():
    rendered = render_markdown("## パスワードを変更する\n\n## تغيير كلمة المرور")
    anchors = [h.anchor for h in rendered.headings]
    assert anchors == ["パスワードを変更する", "تغيير-كلمة-المرور"]


def test_forum_links_get_ugc_rel_and_foreign_images_are_dropped():
    rendered = render_markdown(
        "[site](https://example.com) ![x](https://tracker.example/p.gif) "
        "![ok](/static/img/logo.svg)",
        link_rel="nofollow ugc noopener",
    )
    assert 'rel="nofollow ugc noopener"' in rendered.html
    assert "tracker.example" not in rendered.html
    assert 'src="/static/img/logo.svg"' in rendered.html


def test_every_word_the_writer_typed_is_kept():
    source = (
        "Open https://\\<tenantname>.sharepoint.com/sites/\\<sitename>/ and check "
        "<name of alert policy> then <tenant-name>.\n\nLow severity: <name of alert policy>\n"
    )
    html = render_markdown(source).html
    assert "https://&lt;tenantname&gt;.sharepoint.com/sites/&lt;sitename&gt;/" in html
    assert html.count("&lt;name of alert policy&gt;") == 2
    assert "&lt;tenant-name&gt;" in html


def test_anchor_names_become_ids_and_h1_becomes_h2():
    rendered = render_markdown(
        '# <a name="manage-bookmarks"></a>Manage bookmarks\n\n'
        "<a name='step-5b'></a>\n\n## Step 5b\n\n## Step 5b\n"
    )
    assert '<h2 id="manage-bookmarks">Manage bookmarks</h2>' in rendered.html
    assert 'id="step-5b"' in rendered.html and 'name="' not in rendered.html
    assert [h.anchor for h in rendered.headings] == ["manage-bookmarks", "step-5b", "step-5b_1"]


@pytest.mark.parametrize("kind", ["NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION"])
def test_github_alerts_become_callouts(kind):
    html = render_markdown(f"> [!{kind}]\n> Keep *this* text.\n").html
    assert f'<div class="admonition {kind.lower()}">' in html
    assert '<p class="admonition-title">' in html
    assert "<p>Keep <em>this</em> text.</p>" in html
    assert "[!" not in html and "<blockquote>" not in html


def test_callout_titles_follow_the_article_language(app):
    with app.test_request_context("/en/"):
        ja = render_markdown("> [!TIP]\n> x\n\n!!! note\n    y\n", locale="ja").html
        ar = render_markdown("> [!WARNING]\n> x\n", locale="ar").html
        titled = render_markdown('!!! note "Own title"\n    y\n', locale="ja").html
    assert '<p class="admonition-title">ヒント</p>' in ja
    assert '<p class="admonition-title">メモ</p>' in ja
    assert '<p class="admonition-title">تحذير</p>' in ar
    assert "Own title" in titled


def test_gfm_tables_strikethrough_autolinks_and_html_tables():
    html = render_markdown(
        "| a | b |\n|---|--:|\n| 1 | 2 |\n\n~~old~~ www.example.com\n\n"
        "<table><tr><td>one<br>two</td></tr></table>\n"
    ).html
    assert "<th>a</th>" in html and "<td>2</td>" in html
    assert "<s>old</s>" in html
    assert '<a href="http://www.example.com"' in html
    assert "<td>one<br>two</td>" in html


def test_placeholders_never_open_a_door_for_markup():
    html = render_markdown('<tenant onclick="alert(1)"> <x-y><script>alert(1)</script>').html
    assert "<tenant" not in html and "<x-y" not in html and "<script" not in html
    assert "&lt;tenant" in html


def test_japanese_emphasis_closes_next_to_letters_and_bare_domains_stay_text():
    html = render_markdown("配置した**作業時間(タイムブロック)**は表示されます。Outlook.com").html
    assert "<strong>作業時間(タイムブロック)</strong>は" in html
    assert "Outlook.com" in html and "<a" not in html
