"""Arabic words: normalization, stop words and a light stemmer (no Flask, no analyzer).

The Arabic analyzer in :mod:`search.analysis` is built from these; they are plain
functions so spelling keys, highlighting and tests can use them on one word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from search.pipeline import Mode, Token

_ARABIC_STOP_WORDS_RAW = """
في من على إلى الى عن مع هذا هذه ذلك تلك هو هي هم هن انا أنا نحن انت أنت
التي الذي الذين اللذان اللتان ما ماذا لماذا كيف متى أين اين هل لا لم لن ان أن إن
او أو ثم قد كان كانت يكون تكون كل بعض غير بين عند عندما حتى اذا إذا لكن بل
أي اي ايضا أيضا فقط لدي لدى له لها لهم به بها بهم فيه فيها منه منها عليه عليها
و ف ب ل ك يا
كم كيفية ممكن يمكن يمكنني يمكنك استطيع أستطيع اريد أريد ابغى ابي بدي عندي
وش ايش إيش شو ليش
"""


_ARABIC_MARKS = re.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]")
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})


def normalize_arabic(text: str) -> str:
    """Strip tashkeel, superscript alef and tatweel; unify alef, yeh and teh marbuta."""
    return _ARABIC_MARKS.sub("", text).translate(_ARABIC_LETTERS)


ARABIC_STOP_WORDS = frozenset(normalize_arabic(w) for w in _ARABIC_STOP_WORDS_RAW.split())


class ArabicNormalizeFilter:
    """Applies :func:`normalize_arabic` to each token; drops tokens left empty."""

    def __call__(self, tokens: Iterator[Token], mode: Mode) -> Iterator[Token]:
        for t in tokens:
            text = normalize_arabic(t.text)
            if text:
                t.text = text
                yield t


ARABIC_ARTICLES = ("وال", "فال", "بال", "كال", "ولل", "ال", "لل")
"""The article with the conjunctions and prepositions written onto it, longest first."""

ARABIC_PROCLITICS = "وفبكل"
"""Conjunctions and prepositions written onto a word without the article."""

MIN_ARABIC_STEM = 3
"""No affix comes off if fewer letters would be left (المرور → مرور, never رور)."""

_PRONOUN_SUFFIXES = ("ها", "هم", "هن", "كم", "نا")
"""Attached pronouns (her/its, their, your, our) that come off if 4 letters stay."""

_PLURAL_ENDINGS = {"ات": MIN_ARABIC_STEM, "ون": MIN_ARABIC_STEM + 1, "ين": MIN_ARABIC_STEM + 1}
"""Sound plural endings and the letters that must stay (تخزين is no plural of تخز)."""


def arabic_light_stem(word: str) -> str:
    """A normalized Arabic word without its article and one common suffix.

    Only affixes that are reliably affixes come off: the article with a
    conjunction or preposition written onto it (والفواتير, بالملفات, للملفات),
    then an attached pronoun ها هم هن كم نا if 4 letters stay (حسابها →
    حساب, شركتنا → شرك as شركة), then one of the sound plural endings ات
    (if 3 letters stay: ملفات → ملف),
    ون/ين (if 4 stay: المستخدمين → مستخدم, but تخزين stays), or a final ه (teh
    marbuta: فاتورة → فاتور), then a final ي if 4 letters stay (حسابي → حساب,
    الكترونية → الكترون like الكتروني); form-X verbs meet their verbal noun
    (:func:`_verb_stem`). Single-letter proclitics without the
    article are ambiguous (باشتراك is ب + اشتراك, but بريد is a word) and are
    left to :func:`arabic_clitic_variants`. Broken plurals (فواتير / فاتورة)
    need a dictionary and are not conflated.
    """
    for article in ARABIC_ARTICLES:
        if word.startswith(article) and len(word) - len(article) >= MIN_ARABIC_STEM:
            word = word[len(article) :]
            break
    else:
        if word.startswith("لل") and len(word) >= 4:  # ل + اللغة is written للغة
            word = word[1:]
    if word.endswith(_PRONOUN_SUFFIXES) and len(word) - 2 >= MIN_ARABIC_STEM + 1:
        word = word[:-2]  # حسابها, بياناتهم, شركتنا
        if word.endswith("ت") and not word.endswith("ات") and len(word) - 1 >= MIN_ARABIC_STEM:
            word = word[:-1]  # ة is written ت before a suffix
    if len(word) - 2 >= _PLURAL_ENDINGS.get(word[-2:], len(word)):
        word = word[:-2]
    elif word.endswith("ه") and len(word) - 1 >= MIN_ARABIC_STEM:
        word = word[:-1]
    if word.endswith("ي") and len(word) - 1 >= MIN_ARABIC_STEM + 1:
        word = word[:-1]
        if word.endswith("ت") and len(word) - 1 >= MIN_ARABIC_STEM:
            word = word[:-1]  # ة is written ت before a suffix: بطاقتي → بطاقة
    return _verb_stem(word)


def _verb_stem(word: str) -> str:
    """Present-tense person prefixes unified, form-X verbs meet their verbal nouns.

    A four-letter word in ت or ن is read as the present tense of a three-letter
    root and spelled with ي (تعمل, نعمل → يعمل). Form X: يستخدم/تستخدم →
    استخدم, and the verbal noun استفعال → استفعل (استخدام → استخدم, استرداد →
    استرد for a doubled root); both patterns are unambiguous in shape.
    """
    if len(word) == 4 and word[0] in "تن":
        word = "ي" + word[1:]
    if word[:3] in ("يست", "تست", "نست") and len(word) >= 5:
        word = "ا" + word[1:]
    if word.startswith("است") and len(word) == 7 and word[5] == "ا":
        word = word[:5] if word[4] == word[6] else word[:5] + word[6]
    return word


def arabic_clitic_variants(word: str) -> list[str]:
    """The stem of the word read without a leading و ف ب ك ل (or و/ف and then ب ك ل).

    باشتراك → اشتراك; وباشتراك → اشتراك. Only when the article did not already
    come off and at least 4 letters stay, so كلمة never yields لمه nor بريد ريد;
    at most one variant, since a query asks for the word or all of its variants.
    """
    if any(word.startswith(a) for a in ARABIC_ARTICLES):
        return []
    keep = MIN_ARABIC_STEM + 1
    if word[:1] in "وف" and word[1:2] in "بكل" and len(word) - 2 >= keep:
        rest = word[2:]
    elif word[:1] in ARABIC_PROCLITICS and len(word) - 1 >= keep:
        rest = word[1:]
    else:
        return []
    variant = arabic_light_stem(rest)
    return [variant] if variant != arabic_light_stem(word) else []
