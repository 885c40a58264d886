"""The forum's default categories, with names and descriptions in every shipped language."""
# ruff: noqa: E501  (Japanese and Arabic text is wide; breaking it mid-phrase helps nobody)

from __future__ import annotations

from app.forum.models import ForumCategoryKind

DEFAULT_CATEGORIES = [
    {
        "slug": "questions",
        "kind": ForumCategoryKind.QUESTIONS.value,
        "staff_only": False,
        "names": {"en": "Questions", "ja": "質問", "ar": "الأسئلة"},
        "descriptions": {
            "en": "Ask how to do something in Planwise; other customers and our team answer.",
            "ja": "Planwise の使い方について質問できます。ほかのお客様やチームが回答します。",
            "ar": "اسأل عن كيفية القيام بأي شيء في Planwise، ويجيبك العملاء الآخرون وفريقنا.",
        },
    },
    {
        "slug": "ideas",
        "kind": ForumCategoryKind.IDEAS.value,
        "staff_only": False,
        "names": {
            "en": "Ideas and feature requests",
            "ja": "アイデアと機能リクエスト",
            "ar": "الأفكار وطلبات الميزات",
        },
        "descriptions": {
            "en": "Suggest improvements and vote for the ideas you want most.",
            "ja": "改善案を提案し、実現してほしいアイデアに投票してください。",
            "ar": "اقترح تحسينات وصوّت للأفكار التي تريدها أكثر.",
        },
    },
    {
        "slug": "announcements",
        "kind": ForumCategoryKind.ANNOUNCEMENTS.value,
        "staff_only": True,
        "names": {"en": "Announcements", "ja": "お知らせ", "ar": "الإعلانات"},
        "descriptions": {
            "en": "News from the Planwise team: releases, changes and maintenance.",
            "ja": "Planwise チームからのお知らせ：リリース、変更点、メンテナンス情報。",
            "ar": "أخبار فريق Planwise: الإصدارات والتغييرات والصيانة.",
        },
    },
    {
        "slug": "tips",
        "kind": ForumCategoryKind.DISCUSSION.value,
        "staff_only": False,
        "names": {"en": "Tips and tricks", "ja": "ヒントとコツ", "ar": "نصائح وحيل"},
        "descriptions": {
            "en": "Share the workflows, templates and shortcuts that work for your team.",
            "ja": "チームで役立っているワークフロー、テンプレート、ショートカットを共有しましょう。",
            "ar": "شارك طرق العمل والقوالب والاختصارات التي تفيد فريقك.",
        },
    },
]
