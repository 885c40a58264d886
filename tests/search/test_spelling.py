"""Did you mean for Japanese kana and Arabic words (search.spelling)."""

from __future__ import annotations

from collections import Counter

import pytest

from search.analysis import spelling_key, spelling_words
from search.spelling import SpellingKeys

JA_TEXT = "パスワードを再設定する。ログインできない場合。サーバーの設定。請求書をダウンロード。"
AR_TEXT = (
    "تنزيل الفواتير والإيصالات. إعادة تعيين كلمة المرور. الفواتير الشهرية والاشتراك."
    " إلغاء الاشتراك."
)


def keys_for(text: str, locale: str) -> SpellingKeys:
    return SpellingKeys(locale, Counter(spelling_words(text, locale)).items())


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("パスワド", "パスワード"),  # long vowel left out
        ("ぱすわーど", "パスワード"),  # typed in hiragana
        ("サーバ", "サーバー"),
        ("ﾀﾞｳﾝﾛｰﾄﾞ", "ダウンロード"),
        ("アプリ", None),  # too short to correct by edit distance, and no word shares its key
        ("ダウンロド", "ダウンロード"),
        ("パスワーズ", "パスワード"),  # one kana off
    ],
)
def test_japanese_did_you_mean(typed, meant):
    assert keys_for(JA_TEXT, "ja").correct(typed) == meant


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("الفواتر", "الفواتير"),  # a letter left out
        ("فواتر", "الفواتير"),  # and without the article
        ("الاشتراك", None),  # known words are never corrected
        ("اشتراك", None),  # nor words that differ from one only by the article
        ("الاشتراق", "الاشتراك"),
        ("كلمه", None),  # normalization alone: كلمة is known
    ],
)
def test_arabic_did_you_mean(typed, meant):
    assert keys_for(AR_TEXT, "ar").correct(typed) == meant


def test_spelling_words_are_written_forms_without_keys():
    assert "パスワード" in spelling_words(JA_TEXT, "ja")
    assert "パスワド" not in spelling_words(JA_TEXT, "ja")
    assert "الفواتير" in spelling_words(AR_TEXT, "ar")
    assert spelling_words("reset password", "en") == []


def test_spelling_key_only_for_kana_and_arabic():
    assert spelling_key("パスワード", "ja") == spelling_key("ぱすわーど", "ja")
    assert spelling_key("設定", "ja") is None
    assert spelling_key("password", "en") is None
    assert spelling_key("الفواتير", "ar") == spelling_key("فواتير", "ar")
