"""Analyzers: the same tokens for what was indexed and what was typed, per language."""

from __future__ import annotations

import re

import pytest
import yaml

from search.analysis import (
    analyze,
    analyzer_for,
    normalize_arabic,
    normalize_query_text,
    word_bigrams,
    word_groups,
)
from search.japanese import kana_key
from tests.conftest import CONTENT_DIR


def tokens(text: str, locale: str, mode: str = "query") -> list[str]:
    return analyze(text, locale, mode)


# ---- English


def test_english_stems_and_folds_case():
    assert tokens("Billing", "en") == tokens("bill", "en")
    assert tokens("invoices", "en") == tokens("Invoice", "en")
    assert tokens("RESETTING", "en") == tokens("reset", "en")


def test_english_drops_stop_words_but_keeps_direction():
    assert tokens("How do I reset my password?", "en") == tokens("reset password", "en")
    assert tokens("i cant log in", "en") == ["login", "log"]
    assert "off" in tokens("turn off notifications", "en")
    assert "up" in tokens("sign up", "en")


def test_english_keeps_codes_and_folds_full_width():
    assert tokens("2FA", "en") == ["2fa"]
    assert tokens("ＰＤＦ", "en") == tokens("pdf", "en")
    assert tokens("user’s", "en") == tokens("user's", "en") == tokens("user", "en")


@pytest.mark.parametrize(
    ("typed", "text"),
    [
        ("log in", "Click Login at the top"),
        ("login", "If you can't log in"),
        ("login", "Logging in with Google"),
        ("cant log in", "Go to the sign-in page"),  # through the shipped login ↔ signin synonym
        ("sign in", "the signin page"),
        ("sign-in", "Sign in with your email"),
        ("setup", "Set up your workspace"),
        ("set up", "Workspace setup"),
        ("set-up", "Set up your workspace"),
        ("signup", "Sign up for a trial"),
        ("logged out", "Planwise logs you out"),
    ],
)
def test_english_closed_compound_and_phrasal_verb_match(typed, text):
    assert finds_with_synonyms(typed, text, "en")


def test_english_compound_shares_the_verb_position_so_phrases_still_match():
    analyzer = analyzer_for("en")
    indexed = [(t.text, t.pos) for t in analyzer("Use single sign-on (SSO)")]
    assert ("sign", 2) in indexed and ("signon", 2) in indexed and ("sso", 3) in indexed
    queried = [(t.text, t.pos) for t in analyzer("single sign-on", mode="query")]
    assert queried == [("singl", 0), ("signon", 1), ("sign", 1)]


def test_english_particle_after_stop_words_keeps_its_verb_position():
    # "how do i set up": three stop words before the verb once put "up" at position -3
    tokens = [(t.text, t.pos) for t in analyzer_for("en")("how do i set up two factor")]
    assert tokens == [("setup", 0), ("set", 0), ("up", 0), ("two", 1), ("factor", 2)]


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("log in to outlook.com", "en"),
        ("set up single sign-on", "en"),
        ("パスワードを再設定する", "ja"),
        ("ユーザーを招待", "ja"),
        ("الدفع باشتراك شهري", "ar"),
    ],
)
def test_query_words_are_the_index_words_of_the_same_text(text, locale):
    """Phrases compare the first token at each position: both modes must put the same one first."""

    def first_tokens(mode):
        seen = {}
        for t in analyzer_for(locale)(text, mode=mode):
            seen.setdefault(t.pos, t.text)
        return list(seen.values())

    assert first_tokens("query") == first_tokens("index")


def test_english_phrasal_query_still_needs_its_particle():
    # "sign up" asks for signup, or for sign and up: a text about signing in is no match
    assert not finds("sign up", "Sign in with your email", "en")
    assert not finds("set up", "Set your time zone", "en")


@pytest.mark.parametrize(
    ("typed", "text", "locale"),
    [
        ("outlook", "Use your outlook.com address", "en"),
        ("com", "Use your outlook.com address", "en"),
        ("outlook.com", "Use your Outlook.com address", "en"),
        ("AADSTS", "Error AADSTS650056 when signing in", "en"),
        ("650056", "Error AADSTS650056 when signing in", "en"),
        ("v2.3", "Fixed in v2.3.1", "en"),
        ("v2", "Fixed in v2.3.1", "en"),
        ("planwise", "Go to app.planwise.example", "en"),
        ("outlook", "outlook.comでサインインできない", "ja"),
        ("AADSTS", "AADSTS650056 エラー", "ja"),
        ("outlook", "البريد في outlook.com", "ar"),
    ],
)
def test_codes_and_addresses_are_found_by_their_parts(typed, text, locale):
    assert finds(typed, text, locale)


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_code_parts_share_the_code_position_after_a_stop_word(locale):
    text = "log in to the outlook.com site" if locale == "en" else "في outlook.com من الموقع"
    positions = {t.text: t.pos for t in analyzer_for(locale)(text)}
    assert positions["outlook"] == positions["com"] == positions["outlook.com"] >= 0


def test_a_whole_code_asks_for_the_whole_code():
    assert not finds("outlook.com", "outlook and com", "en")
    assert tokens("2FA", "en", mode="index") == ["2fa"]  # too short to split


@pytest.mark.parametrize(
    ("typed", "text", "locale"),
    [
        ("reset password", "How to reset your password", "en"),
        ("log in page", "the login page", "en"),  # a closed compound pairs like the phrase
        ("パスワード 再設定", "パスワードを再設定する", "ja"),
        ("ぱすわーど さいせってい", "パスワードを再設定する", "ja"),  # kana keys pair up too
        ("كلمة المرور", "إعادة تعيين كلمة المرور", "ar"),
        ("بكلمة المرور", "إعادة تعيين كلمة المرور", "ar"),
    ],
)
def test_word_bigrams_of_a_query_are_among_the_texts(typed, text, locale):
    indexed = {pair for pairs in word_bigrams(text, locale) for pair in pairs}
    query = word_bigrams(typed, locale, mode="query")
    assert query and all(set(pairs) & indexed for pairs in query)


def test_word_bigrams_keep_order_and_never_cross_sections():
    (query,) = word_bigrams("password reset", "en", "query")
    assert not set(query) & set(word_bigrams("reset the password", "en")[0])
    assert word_bigrams("reset\x1fpassword", "en") == []  # title, then summary


# ---- Japanese


def finds(query: str, text: str, locale: str) -> bool:
    """Whether every word of ``query`` matches ``text`` as the query builder asks:
    the word itself, or all of the tokens sharing its position (see word_groups)."""
    indexed = set(tokens(text, locale, mode="index"))
    return all(
        word in indexed or (parts and set(parts) <= indexed)
        for word, parts in word_groups(analyzer_for(locale), query)
    )


def finds_with_synonyms(query: str, text: str, locale: str) -> bool:
    """:func:`finds`, with the synonym groups the demo ships (content/synonyms.yml)."""
    groups = yaml.safe_load((CONTENT_DIR / "synonyms.yml").read_text(encoding="utf-8"))[locale]
    analyzer = analyzer_for(locale)
    indexed = set(tokens(text, locale, mode="index"))
    words = {}
    for group in groups:
        analyzed = {tuple(w for w, _ in word_groups(analyzer, str(entry))) for entry in group}
        for member in analyzed:
            words.setdefault(member, set()).update(analyzed)

    def matched(word, parts):
        options = words.get((word,), {(word,)})
        if any(len(o) == 1 and o[0] in indexed for o in options):
            return True
        return bool(parts) and set(parts) <= indexed

    return all(matched(w, p) for w, p in word_groups(analyzer, query))


def test_japanese_half_width_katakana_equals_full_width():
    assert tokens("ﾊﾟｽﾜｰﾄﾞ", "ja") == tokens("パスワード", "ja")
    assert "パスワード" in tokens("ﾊﾟｽﾜｰﾄﾞ", "ja")


def test_japanese_drops_particles_and_light_verbs():
    assert [w for w, _ in word_groups(analyzer_for("ja"), "パスワードを変更しました")] == [
        "パスワード",
        "変更",
    ]
    assert tokens("パスワードを変更", "ja") == tokens("パスワードを変更しました", "ja")
    assert tokens("二段階認証を設定できません", "ja") == tokens("2段階認証 設定", "ja")


@pytest.mark.parametrize(
    ("question", "statement"),
    [
        ("請求書はどこでダウンロードできますか", "請求書をダウンロード"),
        ("パスワードはいつ変更されましたか", "パスワードを変更"),
        ("誰が招待を送れますか", "招待を送れます"),
        ("なぜログインできないのか", "ログインできない"),
        ("何が原因ですか", "原因です"),
    ],
)
def test_japanese_question_words_are_dropped(question, statement):
    """The text that answers a question never says 何, いつ, どこ or 誰: they ask, not find."""
    assert tokens(question, "ja") == tokens(statement, "ja")
    assert tokens(question, "ja", "index") == tokens(statement, "ja", "index")


@pytest.mark.parametrize(
    ("question", "counter"), [("何人", "人"), ("何歳", "歳"), ("何色", "色"), ("何回", "回")]
)
def test_japanese_what_and_a_counter_asks_for_the_counter(question, counter):
    """何歳 is answered by "12歳": the word searched is the counter."""
    assert tokens(question, "ja") == [counter]
    assert tokens(f"{question}ですか", "ja") == [counter]


def test_japanese_compound_is_followed_by_its_sub_words():
    assert {"請求書", "請求", "書", "ダウンロード"} <= set(tokens("請求書をダウンロードする", "ja"))
    assert tokens("請求", "ja") == ["請求"]


def test_word_groups_pair_a_compound_with_its_parts():
    assert word_groups(analyzer_for("ja"), "請求書を確認") == [
        ("請求書", ("請求", "書")),
        ("確認", ()),
    ]
    assert word_groups(analyzer_for("en"), "reset the password") == [
        ("reset", ()),
        ("password", ()),
    ]


def test_japanese_sub_words_share_the_compound_position():
    analyzer = analyzer_for("ja")
    positions = {t.text: t.pos for t in analyzer("請求書を確認", mode="index")}
    assert positions["請求書"] == positions["請求"] == positions["書"]
    assert positions["確認"] == positions["請求書"] + 1


def test_japanese_latin_words_are_lower_cased_and_whole():
    assert tokens("Slack連携", "ja") == ["slack", "連携"]
    assert tokens("2FAを有効にする", "ja") == ["2fa", "有効"]


def test_japanese_character_offsets_point_into_the_original_text():
    text = "ﾊﾟｽﾜｰﾄﾞの請求書"
    for t in analyzer_for("ja")(text, mode="index"):
        assert text[t.start : t.end] in {"ﾊﾟｽﾜｰﾄﾞ", "請求書", "請求", "書"}


def test_japanese_long_text_is_chunked():
    text = "パスワードを変更します。\n" * 2000
    assert tokens(text, "ja").count("パスワード") == 2000


@pytest.mark.parametrize(
    ("typed", "text"),
    [
        ("ぱすわーど", "パスワードを再設定する"),  # hiragana-typed katakana
        ("ろぐいん", "ログインできない場合"),
        ("ろぐいんできない", "ログインできない場合"),
        ("あかうんと", "アカウントを削除する"),
        ("だうんろーど", "請求書をダウンロードする"),
        ("ぱすわーどのへんこう", "パスワードを変更する"),  # loanword, particle, kanji word
        ("パスワド", "パスワードを再設定する"),  # long vowel left out
        ("ユーザ", "ユーザーを招待する"),  # JIS-style spelling without the final ー
        ("ウィンドウ", "ウインドウを閉じる"),  # small-kana variant
        ("ヴァイオリン", "バイオリン教室"),
        ("ｱｶｳﾝﾄ", "アカウントを削除する"),  # half-width
        ("せってい", "通知の設定"),  # kanji word typed by its reading
        ("へんこう", "メールアドレスの変更"),
        ("しはらい", "支払い方法"),
        ("せいきゅうしょ", "請求書をダウンロードする"),  # a compound's reading
        ("パスワードをへんこうしたい", "パスワードの変更"),
        ("めーるあどれすのへんこう", "メールアドレスを変更する"),  # one run, split at の
    ],
)
def test_japanese_kana_typed_word_finds_its_written_form(typed, text):
    assert finds(typed, text, "ja")


@pytest.mark.parametrize(
    ("typed", "text"),
    [
        ("ログイン", "ログアウトする"),
        ("設定", "セット商品"),  # a kanji query asks for its own form, not its reading
        ("カード", "コードを入力"),
        ("請求書", "請求の説明"),
    ],
)
def test_japanese_folding_does_not_match_other_words(typed, text):
    assert not finds(typed, text, "ja")


def test_japanese_hiragana_loanword_is_one_word():
    # Sudachi alone reads くらしっく as 蔵 / 知る / 九
    assert [w for w, _ in word_groups(analyzer_for("ja"), "くらしっく")] == ["クラシック"]
    assert "蔵" not in tokens("くらしっく", "ja", mode="index")


def test_japanese_japanese_words_in_kana_are_not_read_as_loanwords():
    # こと spelled コト is a dictionary word, but its normalized form is 事, not a loanword
    assert "コト" not in tokens("することができます", "ja", mode="index")
    # せって|い must not become the noun セッテ and a stray い
    assert "セッテ" not in tokens("せってい", "ja")


def test_japanese_kana_key_folds_spelling_variants():
    assert kana_key("ぱすわーど") == kana_key("パスワード") == kana_key("パスワド") == "パスワド"
    assert kana_key("ウィンドウ") == kana_key("ウインドウ")
    assert kana_key("ヴァイオリン") == kana_key("バイオリン")
    assert kana_key("ｻｰﾊﾞｰ") == kana_key("サーバ")
    assert kana_key("セッテイ") != kana_key("セツテイ")  # the small っ is a sound of its own


def test_japanese_reading_keys_share_the_word_position():
    analyzer = analyzer_for("ja")
    positions = {t.text: t.pos for t in analyzer("通知を設定", mode="index")}
    assert positions[kana_key("セッテイ")] == positions["設定"]


# ---- Arabic


def test_arabic_diacritics_and_tatweel_are_ignored():
    assert tokens("كَلِمَةُ المُرُورِ", "ar") == tokens("كلمة المرور", "ar")
    assert tokens("كلـــمة", "ar") == tokens("كلمة", "ar")


def test_arabic_letter_variants_are_unified():
    assert normalize_arabic("أإآ") == "ااا"
    assert normalize_arabic("على") == "علي"
    assert normalize_arabic("كلمة") == "كلمه"
    assert tokens("إعادة", "ar") == tokens("اعاده", "ar")


def test_arabic_prefixes_and_article_are_stripped():
    assert tokens("والمرور", "ar") == tokens("المرور", "ar") == tokens("مرور", "ar")
    assert tokens("بالفاتورة", "ar")[0] == tokens("فاتورة", "ar")[0]


def stem(word: str) -> str:
    return tokens(word, "ar")[0]


@pytest.mark.parametrize(
    "forms",
    [
        ("فواتير", "الفواتير", "والفواتير", "بالفواتير", "للفواتير"),  # the 5 vs 17
        ("اشتراك", "الاشتراك", "والاشتراك", "بالاشتراك"),  # 4 vs 6
        ("ملف", "ملفات", "الملفات", "بالملفات", "للملفات"),  # sound plural ات
        ("حساب", "حسابات", "الحسابات", "حسابي"),  # plural, "my account"
        ("بطاقة", "البطاقة", "بطاقتي", "بالبطاقة"),  # ة written ت before "my"
        ("حساب", "حسابها", "حسابكم"),  # attached pronouns: its, your
        ("بيانات", "بياناتهم", "البيانات"),
        ("شركة", "شركتنا", "الشركة"),
        ("مستخدم", "مستخدمين", "المستخدمين", "المستخدمون"),  # sound plural ون/ين
        ("فاتورة", "الفاتورة", "فاتوره", "بالفاتورة"),  # teh marbuta
        ("لغة", "اللغة", "للغة"),  # ل + ال written with one alef less
        ("الإلكتروني", "الإلكترونية", "الالكتروني"),
        ("يعمل", "تعمل", "نعمل"),  # present tense: he / she / we
        ("استخدام", "يستخدم", "تستخدم", "الاستخدام"),  # form X verb and its verbal noun
        ("أسترد", "استرداد", "الاسترداد"),  # "how do I get my money back" / refund
    ],
)
def test_arabic_word_forms_share_one_stem(forms):
    assert len({stem(form) for form in forms}) == 1, {form: stem(form) for form in forms}


@pytest.mark.parametrize(
    ("typed", "text"),
    [
        ("باشتراك", "تجديد الاشتراك"),  # proclitic ب without the article
        ("اشتراك", "الدفع باشتراك شهري"),
        ("وبالملفات", "رفع الملفات"),
        ("فواتير", "تنزيل الفواتير"),
        ("ملف", "مشاركة الملفات"),
        ("الملفات لا ترفع", "رفع الملفات"),  # a present-tense verb finds its root's noun
    ],
)
def test_arabic_word_with_or_without_clitic_finds_the_other(typed, text):
    assert finds(typed, text, "ar")


# Words that a stemmer must keep apart: ISRI stems المرور (traffic / passing) to رور.
ARABIC_MUST_NOT_CONFLATE = [
    ("المرور", "مر"),
    ("المرور", "رور"),
    ("كلمة", "لمة"),  # ك is no proclitic here: كلمة is not ك + لمة
    ("بريد", "ريد"),
    ("تخزين", "تخز"),  # ين of a singular is no plural ending
    ("مكان", "مك"),
    ("وقتي", "وق"),  # my time: the ت of a three-letter word stays
    ("تحكم", "تح"),  # كم of a four-letter word is no pronoun
    ("وصول", "صول"),
    ("اشتراك", "اشترا"),
    ("مكتب", "كتاب"),  # office and book share a root; a light stemmer keeps them apart
    ("الملف", "ملفت"),
]


@pytest.mark.parametrize(("word", "other"), ARABIC_MUST_NOT_CONFLATE)
def test_arabic_stemming_keeps_different_words_apart(word, other):
    assert stem(word) != stem(other)
    assert not finds(other, word, "ar"), f"{other!r} would find {word!r}"


def test_arabic_stop_words_are_dropped():
    assert tokens("في من على", "ar") == []


# ---- any locale


@pytest.mark.parametrize(
    "typed", ["can't upload", "cant upload", "wont upload", "won’t upload", "it didnt upload"]
)
def test_english_colloquial_contractions_are_stop_words(typed):
    assert tokens(typed, "en") == tokens("upload", "en")


@pytest.mark.parametrize(
    ("question", "content"),
    [
        ("How many projects can I create?", "projects create"),
        ("how much does the team plan cost", "team plan cost"),
        ("What kind of files can I upload?", "files upload"),
        ("What is the name of the setting that hides my email", "setting hides email"),
        ("Which type of invoice do I get", "invoice get"),
    ],
)
def test_english_question_frame_words_are_dropped_from_a_query(question, content):
    """The answer says "three projects" or "PDF files", never many, much, kind or name."""
    assert tokens(question, "en") == tokens(content, "en")


@pytest.mark.parametrize(
    "text", ["too many requests", "change display name", "file type not supported", "name of file"]
)
def test_english_frame_words_outside_a_question_frame_stay(text):
    assert tokens(text, "en") == tokens(text, "en", "index")
    assert set(tokens(text, "en")) & {"mani", "name", "type"}


@pytest.mark.parametrize("word", ["كم", "كيف", "هل", "ماذا", "كيفية", "ممكن"])
def test_arabic_question_words_are_stop_words(word):
    assert tokens(f"{word} سعر الاشتراك", "ar") == tokens("سعر الاشتراك", "ar")


def test_unknown_locale_gets_a_simple_analyzer():
    assert tokens("Bonjour  LE Monde", "fr") == ["bonjour", "le", "monde"]
    assert tokens("Billing", "en-US") == tokens("bill", "en")


# ---- normalized query text for analytics


def test_normalize_query_text_folds_order_case_and_spacing():
    a = normalize_query_text("  Reset   the PASSWORD ", "en")
    assert a == normalize_query_text("password reset", "en")
    assert a == normalize_query_text("resetting passwords", "en")


def test_normalize_query_text_handles_width_and_diacritics():
    assert normalize_query_text("ﾊﾟｽﾜｰﾄﾞを変更", "ja") == normalize_query_text(
        "変更 パスワード", "ja"
    )
    assert normalize_query_text("كَلِمَةُ المرور", "ar") == normalize_query_text("المرور كلمة", "ar")


def test_normalize_query_text_keeps_stop_word_only_queries():
    assert normalize_query_text("  The\tTHE ", "en") == "the the"
    assert normalize_query_text("", "en") == ""
    assert normalize_query_text("\x00\x01", "en") == ""


# ---- the highlighter's stemming shortcut


def _content_words(locale: str) -> set[str]:
    from pathlib import Path

    pattern = re.compile(r"\w+(?:['’.]\w+)*")
    folder = Path(__file__).resolve().parents[2] / "content" / locale
    words = {w for path in folder.rglob("*.md") for w in pattern.findall(path.read_text())}
    assert len(words) > 1000  # the demo content is there
    return words


TRICKY = {
    "en": {"dying", "lying", "tying", "skies", "Generously", "ＩＮＶＯＩＣＥＳ", "it’s"},
    "ar": {"يستخدم", "تستغرق", "المؤسسات", "الائتماني", "شيئ", "بطيئ", "دائن", "فئة", "رؤية"},
}


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_stem_shortcut_never_rejects_a_word_that_matches(locale):
    """Snippets skip stemming words the shortcut rules out: it must never rule out a match."""
    from search.highlight import _stem_shortcut

    analyzer = analyzer_for(locale)
    words = _content_words(locale) | TRICKY[locale]
    stems = {w: [t.text for t in analyzer(w, mode="index")] for w in words}
    missed = []
    for word, word_stems in stems.items():
        for stem in word_stems:
            possible = _stem_shortcut(analyzer, frozenset({stem}))
            if not possible(word):
                missed.append((word, stem))
    assert missed == []
    # ...and it does rule out most words, which is its point.
    possible = _stem_shortcut(analyzer, frozenset(stems[next(iter(TRICKY[locale]))]))
    assert sum(map(possible, words)) < len(words) / 4
