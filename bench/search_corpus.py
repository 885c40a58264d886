"""The search benchmark's synthetic corpus and query sets: deterministic (fixed seed).

Articles of 220-380 words and forum topics of 30-160, 50% English, 25%
Japanese, 25% Arabic, from word lists with a long tail of pseudo-words;
search queries of one to three mid-frequency words (8% with a typo, 5%
quoted) and as-you-type prefixes of real titles.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from search.documents import SearchDocument

SEED = 20240611
ARTICLES = 10_000
TOPICS = 100_000
LOCALE_SHARE = (("en", 0.5), ("ja", 0.25), ("ar", 0.25))


def word_list(text: str) -> list[str]:
    """A whitespace-separated list written as prose."""
    return text.split()


CATEGORIES = word_list(
    "getting-started account billing projects time-tracking invoicing "
    "integrations mobile security troubleshooting"
)
QUERIES = 500
WARMUP = 25
INCREMENTAL_WRITES = 100

EN_WORDS = word_list("""
password reset invoice receipt billing bill account login sign workspace member invite
notification integration slack calendar export import project task board timeline gantt
timer timesheet report permission role admin owner guest client plan upgrade downgrade
subscription payment card refund trial email security two-factor authentication code device
app mobile desktop web browser api key token webhook zapier github outlook google sync error
issue problem bug crash slow load page settings profile avatar name language timezone date
format currency tax vat address company team user seat license sso saml scim audit log data
residency backup delete archive restore template custom field tag label filter search view
list column comment mention attachment file upload download pdf csv share link public
private access request approve reject status progress milestone deadline due reminder
recurring schedule hour minute week month year budget rate cost expense estimate track time
start stop pause edit create add remove move copy duplicate rename change update enable
disable turn connect disconnect install open close save print send receive verify confirm
cancel renew expire lock unlock block forgot lost phone sms authenticator recovery session
device browser cookie privacy export region storage limit quota usage overview dashboard
chart graph summary detail history activity feed assign assignee watcher follower priority
dependency subtask checklist sprint backlog epic portfolio workload capacity holiday
overtime approval manager employee contractor freelancer invoice-number payment-method
""")
EN_FILLER = word_list("the to and you your a of in for is it on can with this that be")

JA_WORDS = word_list("""
パスワード ログイン 請求書 領収書 二段階認証 ワークスペース メンバー 招待 通知
連携 エクスポート インポート プロジェクト タスク ボード タイムライン
ガントチャート タイマー タイムシート レポート 権限 管理者 所有者 ゲスト
クライアント プラン アップグレード ダウングレード サブスクリプション 支払い
クレジットカード 返金 無料トライアル メール セキュリティ 認証 コード 端末 アプリ
モバイル デスクトップ ブラウザ キー トークン 同期 エラー 問題 不具合 設定
プロフィール 言語 タイムゾーン 日付 通貨 税金 住所 会社 チーム ユーザー
ライセンス 監査ログ データ バックアップ 削除 アーカイブ 復元 テンプレート
カスタム フィールド タグ ラベル フィルター 検索 表示 リスト コメント
添付ファイル ファイル アップロード ダウンロード 共有 リンク 公開 アクセス 申請
承認 却下 状態 進捗 マイルストーン 期限 リマインダー 予定 時間 予算 単価 費用
経費 見積もり 記録 開始 停止 編集 作成 追加 移動 複製 変更 更新 接続 解除
保存 印刷 送信 受信 確認 解約 有効期限 電話番号 復旧コード 請求先 支払い方法
利用状況 ダッシュボード グラフ 履歴 担当者 優先度 依存関係 チェックリスト
スプリント 残業 休日 従業員
""")
JA_PARTICLES = word_list("を の に は が で と も から まで")
JA_ENDINGS = ["します。", "できません。", "したいです。", "してください。", "です。", "されます。"]
AR_WORDS = word_list("""
كلمة المرور تسجيل الدخول الفاتورة الفواتير الإيصال الدفع الاشتراك الخطة الترقية مساحة العمل
الأعضاء الدعوة الإشعارات التكامل تصدير البيانات استيراد المشروع المهام اللوحة الجدول الزمني
المؤقت التقرير الصلاحيات المسؤول المالك الضيف العميل البريد الإلكتروني الأمان المصادقة الثنائية
الرمز الجهاز التطبيق الهاتف المتصفح المفتاح المزامنة خطأ مشكلة الإعدادات الملف الشخصي اللغة
المنطقة التاريخ العملة الضريبة العنوان الشركة الفريق المستخدم الترخيص السجل النسخ الاحتياطي
حذف أرشفة استعادة القالب الحقل الوسم التصفية البحث العرض القائمة التعليق المرفق رفع تنزيل
مشاركة الرابط الوصول الطلب الموافقة الحالة التقدم الموعد النهائي التذكير الساعة الأسبوع الشهر
الميزانية التكلفة المصروفات تعديل إنشاء إضافة نقل تغيير تحديث تفعيل تعطيل ربط إلغاء حفظ
طباعة إرسال استلام تأكيد انتهاء قفل الموظف المدير الأولوية العطلة السرعة الأداء الاستخدام
""")
AR_FILLER = word_list("في من على إلى عن مع هذا التي")
KATAKANA = (
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
)
ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


def pseudo_words(rng: random.Random, count: int, make: Callable[[random.Random], str]) -> list[str]:
    """``count`` distinct generated words."""
    words: dict[str, None] = {}
    while len(words) < count:
        words.setdefault(make(rng), None)
    return list(words)


def latin_word(rng: random.Random) -> str:
    syllables = [
        rng.choice("bcdfgklmnprstvz") + rng.choice("aeiou") for _ in range(rng.randint(2, 4))
    ]
    return "".join(syllables) + rng.choice(["", "n", "r", "s", "t"])


def katakana_word(rng: random.Random) -> str:
    return "".join(rng.choice(KATAKANA) for _ in range(rng.randint(3, 5))) + "ー"


def arabic_word(rng: random.Random) -> str:
    word = "".join(rng.choice(ARABIC_LETTERS) for _ in range(rng.randint(3, 5)))
    return ("ال" + word) if rng.random() < 0.4 else word


class Language:
    """A vocabulary with Zipf-distributed word frequencies and a way to write text."""

    def __init__(self, locale: str, domain: list[str], tail: list[str], filler: list[str]) -> None:
        self.locale = locale
        self.vocabulary = list(dict.fromkeys(domain + tail))
        self.filler = filler
        weights = [1.0 / (rank + 2.7) for rank in range(len(self.vocabulary))]
        total = 0.0
        self.cumulative = []
        for w in weights:
            total += w
            self.cumulative.append(total)

    def words(self, rng: random.Random, n: int) -> list[str]:
        return rng.choices(self.vocabulary, cum_weights=self.cumulative, k=n)

    def text(self, rng: random.Random, n: int) -> str:
        words = self.words(rng, n)
        if self.locale == "ja":
            out = []
            for i, w in enumerate(words):
                out.append(w)
                out.append(rng.choice(JA_ENDINGS) if i % 7 == 6 else rng.choice(JA_PARTICLES))
            return "".join(out)
        out = []
        for w in words:
            if rng.random() < 0.35:
                out.append(rng.choice(self.filler))
            out.append(w)
        return " ".join(out)

    def title(self, rng: random.Random, n: int) -> str:
        # Titles use the commoner half of the domain words, like real help-center titles.
        words = rng.choices(self.vocabulary[:400], cum_weights=self.cumulative[:400], k=n)
        sep = "の" if self.locale == "ja" else " "
        return sep.join(words)


def languages(rng: random.Random) -> dict[str, Language]:
    return {
        "en": Language("en", EN_WORDS, pseudo_words(rng, 6000, latin_word), EN_FILLER),
        "ja": Language("ja", JA_WORDS, pseudo_words(rng, 4000, katakana_word), []),
        "ar": Language("ar", AR_WORDS, pseudo_words(rng, 4000, arabic_word), AR_FILLER),
    }


def pick_locale(rng: random.Random) -> str:
    r = rng.random()
    for locale, share in LOCALE_SHARE:
        if r < share:
            return locale
        r -= share
    return LOCALE_SHARE[-1][0]


def corpus(scale: float, seed: int = SEED) -> Iterator[SearchDocument]:
    """The synthetic articles then topics; the same for the same seed and scale."""
    rng = random.Random(seed)
    langs = languages(rng)
    epoch = datetime(2024, 1, 1)
    for i in range(int(ARTICLES * scale)):
        lang = langs[pick_locale(rng)]
        yield SearchDocument(
            doc_id=f"article:{i}",
            type="article",
            locale=lang.locale,
            kind="guide" if rng.random() < 0.15 else "faq",
            category=rng.choice(CATEGORIES),
            title=lang.title(rng, rng.randint(4, 7)),
            summary=lang.text(rng, rng.randint(10, 18)),
            body=lang.text(rng, rng.randint(220, 380)),
            tags=lang.words(rng, rng.randint(3, 6)),
            url=f"/{lang.locale}/articles/a{i}",
            updated=epoch + timedelta(minutes=i),
            popularity=int(rng.paretovariate(1.2)),
        )
    for i in range(int(TOPICS * scale)):
        lang = langs[pick_locale(rng)]
        yield SearchDocument(
            doc_id=f"topic:{i}",
            type="topic",
            locale=lang.locale,
            kind="topic",
            category=rng.choice(CATEGORIES),
            title=lang.title(rng, rng.randint(5, 10)),
            summary="",
            body=lang.text(rng, rng.randint(30, 160)),
            tags=[],
            url=f"/{lang.locale}/forum/t{i}",
            solved=rng.random() < 0.4,
            updated=epoch + timedelta(minutes=i),
            popularity=int(rng.paretovariate(1.5)),
        )


def search_queries(seed: int = SEED) -> list[tuple[str, str]]:
    """(locale, text): mostly one to three words of mid frequency; some typos and phrases."""
    rng = random.Random(seed + 1)
    langs = languages(random.Random(seed))
    out = []
    for _ in range(QUERIES):
        lang = langs[pick_locale(rng)]
        n = rng.choices((1, 2, 3), weights=(0.3, 0.5, 0.2))[0]
        words = [lang.vocabulary[int(rng.triangular(20, 2500, 60))] for _ in range(n)]
        roll = rng.random()
        if roll < 0.08 and lang.locale == "en":
            w = words[0]
            i = rng.randrange(1, max(2, len(w) - 1))
            words[0] = w[:i] + w[i + 1 :] if len(w) > 4 else w
        elif roll < 0.13 and n > 1:
            out.append((lang.locale, '"' + " ".join(words) + '"'))
            continue
        sep = rng.choice([" ", "を", "の"]) if lang.locale == "ja" else " "
        out.append((lang.locale, sep.join(words)))
    return out


def suggest_queries(docs: list[SearchDocument], seed: int = SEED) -> list[tuple[str, str]]:
    """(locale, text): a title's first words and part of the next, as typed."""
    rng = random.Random(seed + 2)
    out = []
    for _ in range(QUERIES):
        doc = rng.choice(docs)
        if doc.locale == "ja":
            cut = rng.randint(2, min(8, len(doc.title)))
            out.append((doc.locale, doc.title[:cut]))
            continue
        words = doc.title.split()
        k = rng.randint(0, min(2, len(words) - 1))
        partial = words[k][: rng.randint(2, max(2, len(words[k])))]
        out.append((doc.locale, " ".join([*words[:k], partial])))
    return out
