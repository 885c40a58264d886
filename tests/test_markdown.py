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
