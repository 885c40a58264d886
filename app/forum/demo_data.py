"""Believable demo topics about the fictional Planwise product, for `flask forum seed-demo`."""
# ruff: noqa: E501  (Japanese and Arabic text is wide; breaking it mid-phrase helps nobody)

from __future__ import annotations

# (email, display name, role, locale)
DEMO_USERS = [
    ("maya.chen@example.com", "Maya Chen", "customer", "en"),
    ("tom.becker@example.com", "Tom Becker", "customer", "en"),
    ("kenji.sato@example.com", "Kenji Sato", "customer", "ja"),
    ("yui.tanaka@example.com", "Yui Tanaka", "customer", "ja"),
    ("layla.haddad@example.com", "Layla Haddad", "customer", "ar"),
    ("omar.khalil@example.com", "Omar Khalil", "customer", "ar"),
    ("sam.rivera@example.com", "Sam Rivera", "cs_editor", "en"),
    ("priya.nair@example.com", "Priya Nair", "customer", "en"),
]
MAYA, TOM, KENJI, YUI, LAYLA, OMAR, SAM, PRIYA = range(8)

# Each topic: category slug, author, title, body, tags, replies [(author, body)],
# the index of the accepted reply (or None), who upvoted the question, and its age in days.
DEMO_TOPICS: dict[str, list[dict]] = {
    "en": [
        {
            "category": "questions",
            "author": MAYA,
            "title": "How do I move a task to another project without losing comments?",
            "body": "We reorganised our projects and I need to move about 30 tasks from "
            "**Website 2024** to **Website relaunch**. If I move a task, do the comments and "
            "attachments go with it? I don't want to lose the discussion history.",
            "tags": ["tasks", "projects"],
            "replies": [
                (
                    TOM,
                    "Open the task, click **···** → **Move to project** and pick the target. "
                    "Comments, attachments and subtasks move with it. Custom field values only "
                    "carry over if the target project has the same fields, so add those first.\n\n"
                    "For many tasks at once: select them in the list view (Shift-click), then "
                    "use **Move** in the bulk actions bar.",
                ),
                (MAYA, "That worked, thanks @TomBecker! The custom fields were the missing piece."),
            ],
            "accepted": 0,
            "voters": [TOM, PRIYA],
            "days": 12,
        },
        {
            "category": "questions",
            "author": TOM,
            "title": "Google Calendar sync stopped after I changed my Google password",
            "body": "Since Monday my Planwise due dates no longer show up in Google Calendar. "
            "The only thing I changed was my Google password. Is there a way to fix this "
            "without recreating the calendar?",
            "tags": ["calendar", "google", "sync"],
            "replies": [
                (
                    SAM,
                    "Changing your Google password revokes the access Planwise had. Go to "
                    "**Settings → Integrations → Google Calendar**, click **Disconnect**, then "
                    "**Connect** again and approve access. Your existing calendar is reused, so "
                    "nothing is duplicated. Our article *Calendar sync is not working* has more "
                    "checks if it still doesn't update.",
                ),
            ],
            "accepted": 0,
            "voters": [MAYA],
            "days": 9,
        },
        {
            "category": "questions",
            "author": PRIYA,
            "title": "Can guests see the time tracked on tasks?",
            "body": "We invite clients as guests to a few projects. Before we start using the "
            "timer, I'd like to know whether guests can see how much time we log on each task "
            "and in the timesheet.",
            "tags": ["guests", "time-tracking"],
            "replies": [],
            "accepted": None,
            "voters": [],
            "days": 2,
        },
        {
            "category": "ideas",
            "author": MAYA,
            "title": "Dark mode for the desktop app",
            "body": "The web app follows the system theme, but the desktop app is always light. "
            "Please add a dark mode (or follow the system setting) — it would help a lot "
            "during evening planning sessions.",
            "tags": ["desktop", "design"],
            "replies": [(PRIYA, "+1, our whole team would use it.")],
            "accepted": None,
            "voters": [TOM, PRIYA, SAM],
            "days": 30,
        },
        {
            "category": "ideas",
            "author": TOM,
            "title": "Recurring tasks that skip weekends and holidays",
            "body": "Our invoicing task repeats on the 1st of each month. When the 1st is a "
            "Saturday, the task is due on a day nobody works. An option to move recurring "
            "tasks to the next working day would be great.",
            "tags": ["recurring-tasks"],
            "replies": [
                (
                    SAM,
                    "Thanks, we've added this to our roadmap review. For daily tasks you can "
                    "already choose **Every weekday** in the repeat menu.",
                )
            ],
            "accepted": None,
            "voters": [MAYA, PRIYA],
            "days": 20,
        },
        {
            "category": "tips",
            "author": PRIYA,
            "title": "Our weekly planning ritual with saved filters",
            "body": "Every Monday we open three saved filters: **Due this week**, **Overdue** "
            "and **Unassigned**. We go through them top to bottom in 20 minutes and assign "
            "everything. Save a filter from the list view with **Save view** and pin it to the "
            "sidebar.",
            "tags": ["filters", "planning"],
            "replies": [
                (MAYA, "Great idea @PriyaNair — we now also keep a **Blocked** filter."),
            ],
            "accepted": None,
            "voters": [MAYA, TOM],
            "days": 15,
        },
        {
            "category": "announcements",
            "author": SAM,
            "title": "Scheduled maintenance on Sunday, 02:00–03:00 UTC",
            "body": "We will upgrade our database servers on Sunday between 02:00 and 03:00 UTC. "
            "Planwise may be unavailable for up to 15 minutes in this window. Your data is safe, "
            "and the mobile apps sync again as soon as the service is back.",
            "tags": ["maintenance"],
            "replies": [],
            "accepted": None,
            "voters": [],
            "days": 5,
        },
        {
            "category": "questions",
            "author": MAYA,
            "title": "Our invoice shows the old company address",
            "body": "We moved offices last month, but the latest invoice still shows our old "
            "address. Where do I change it, and can the last invoice be corrected?",
            "tags": ["billing", "invoices"],
            "replies": [
                (TOM, "Same happened to us after our move."),
                (
                    SAM,
                    "Change it under **Settings → Billing → Billing details**; it applies to all "
                    "future invoices. For an invoice that was already issued, write to "
                    "support@planwise.example and we'll reissue it with the new address.",
                ),
            ],
            "accepted": 1,
            "voters": [TOM],
            "days": 7,
        },
    ],
    "ja": [
        {
            "category": "questions",
            "author": KENJI,
            "title": "タスクを別のプロジェクトに移動するとコメントは消えますか？",
            "body": "プロジェクトを整理したので、30件ほどのタスクを別のプロジェクトへ移したいです。"
            "移動したときにコメントや添付ファイルも一緒に移りますか？これまでのやり取りを失いたくありません。",
            "tags": ["タスク", "プロジェクト"],
            "replies": [
                (
                    YUI,
                    "タスクを開いて **···** → **プロジェクトへ移動** を選べば、コメント・添付ファイル・"
                    "サブタスクも一緒に移動します。カスタムフィールドは移動先に同じフィールドがある場合だけ"
                    "引き継がれるので、先に追加しておいてください。",
                ),
                (KENJI, "@YuiTanaka ありがとうございます、無事に移動できました！"),
            ],
            "accepted": 0,
            "voters": [YUI],
            "days": 11,
        },
        {
            "category": "questions",
            "author": YUI,
            "title": "Google カレンダーとの同期が止まってしまいました",
            "body": "月曜日から、Planwise の期日が Google カレンダーに表示されなくなりました。"
            "変更したのは Google のパスワードだけです。カレンダーを作り直さずに直す方法はありますか？",
            "tags": ["カレンダー", "同期"],
            "replies": [
                (
                    SAM,
                    "Google のパスワードを変更すると、Planwise のアクセス権が取り消されます。"
                    "**設定 → 連携 → Google カレンダー** で「接続を解除」してから、もう一度「接続」して"
                    "アクセスを許可してください。既存のカレンダーがそのまま使われます。",
                ),
            ],
            "accepted": 0,
            "voters": [KENJI],
            "days": 8,
        },
        {
            "category": "questions",
            "author": KENJI,
            "title": "ゲストにも作業時間は表示されますか？",
            "body": "いくつかのプロジェクトに取引先をゲストとして招待しています。タイマーを使い始める前に、"
            "タスクごとの作業時間やタイムシートがゲストから見えるのか確認したいです。",
            "tags": ["ゲスト", "タイムトラッキング"],
            "replies": [],
            "accepted": None,
            "voters": [],
            "days": 1,
        },
        {
            "category": "ideas",
            "author": YUI,
            "title": "デスクトップアプリにダークモードがほしい",
            "body": "Web 版はシステムのテーマに合わせてくれますが、デスクトップアプリは常にライトテーマです。"
            "夜に計画を立てることが多いので、ダークモードに対応してほしいです。",
            "tags": ["デスクトップ", "デザイン"],
            "replies": [(KENJI, "賛成です。夜の作業がかなり楽になると思います。")],
            "accepted": None,
            "voters": [KENJI, SAM],
            "days": 25,
        },
        {
            "category": "ideas",
            "author": KENJI,
            "title": "週末や祝日をスキップする繰り返しタスク",
            "body": "毎月1日に繰り返す請求書作成タスクがありますが、1日が土曜日だと誰も働いていない日が期日に"
            "なってしまいます。次の営業日にずらすオプションがあると助かります。",
            "tags": ["繰り返しタスク"],
            "replies": [
                (
                    SAM,
                    "ご提案ありがとうございます。ロードマップの検討に追加しました。毎日のタスクであれば、"
                    "繰り返しメニューの **平日ごと** で代用できます。",
                )
            ],
            "accepted": None,
            "voters": [YUI],
            "days": 18,
        },
        {
            "category": "tips",
            "author": YUI,
            "title": "保存したフィルターで毎週の計画ミーティングを効率化",
            "body": "毎週月曜日に **今週が期日**、**期限切れ**、**担当者なし** の3つの保存済みフィルターを"
            "順番に確認しています。リスト表示で **ビューを保存** を押すと、サイドバーに固定できます。",
            "tags": ["フィルター", "計画"],
            "replies": [(KENJI, "@YuiTanaka 参考になりました！さっそく真似してみます。")],
            "accepted": None,
            "voters": [KENJI],
            "days": 14,
        },
        {
            "category": "announcements",
            "author": SAM,
            "title": "日曜日 2:00〜3:00（UTC）に定期メンテナンスを行います",
            "body": "日曜日の 2:00〜3:00（UTC）にデータベースサーバーのアップグレードを行います。"
            "この間、最大15分ほど Planwise をご利用いただけない場合があります。データは安全に保たれ、"
            "モバイルアプリはサービス再開後に自動で同期されます。",
            "tags": ["メンテナンス"],
            "replies": [],
            "accepted": None,
            "voters": [],
            "days": 5,
        },
        {
            "category": "questions",
            "author": KENJI,
            "title": "請求書の会社住所が古いままです",
            "body": "先月オフィスを移転しましたが、最新の請求書に旧住所が記載されています。"
            "どこで変更できますか？また、発行済みの請求書は修正できますか？",
            "tags": ["請求", "請求書"],
            "replies": [
                (
                    SAM,
                    "**設定 → 請求 → 請求先情報** で住所を変更できます。今後の請求書に反映されます。"
                    "発行済みの請求書は support@planwise.example までご連絡いただければ、新しい住所で再発行します。",
                ),
            ],
            "accepted": 0,
            "voters": [YUI],
            "days": 6,
        },
    ],
    "ar": [
        {
            "category": "questions",
            "author": LAYLA,
            "title": "كيف أنقل مهمة إلى مشروع آخر دون أن أفقد التعليقات؟",
            "body": "أعدنا تنظيم مشاريعنا وأحتاج إلى نقل نحو 30 مهمة إلى مشروع جديد. "
            "هل تنتقل التعليقات والمرفقات مع المهمة؟ لا أريد أن أفقد سجل النقاش.",
            "tags": ["المهام", "المشاريع"],
            "replies": [
                (
                    OMAR,
                    "افتح المهمة واضغط على **···** ثم **نقل إلى مشروع**. تنتقل التعليقات والمرفقات "
                    "والمهام الفرعية معها، أما قيم الحقول المخصصة فتنتقل فقط إذا كانت الحقول نفسها "
                    "موجودة في المشروع الهدف.",
                ),
                (LAYLA, "@OmarKhalil شكرًا لك، نجحت الطريقة!"),
            ],
            "accepted": 0,
            "voters": [OMAR],
            "days": 10,
        },
        {
            "category": "questions",
            "author": OMAR,
            "title": "توقفت مزامنة تقويم Google بعد تغيير كلمة المرور",
            "body": "منذ يوم الاثنين لم تعد مواعيد Planwise تظهر في تقويم Google. الشيء الوحيد "
            "الذي غيّرته هو كلمة مرور Google. هل يمكن إصلاح ذلك دون إنشاء التقويم من جديد؟",
            "tags": ["التقويم", "المزامنة"],
            "replies": [
                (
                    SAM,
                    "تغيير كلمة مرور Google يلغي الصلاحية التي منحتها لـ Planwise. اذهب إلى "
                    "**الإعدادات ← التكاملات ← تقويم Google** واضغط «قطع الاتصال» ثم «اتصال» من جديد "
                    "ووافق على الصلاحيات. سيُستخدم التقويم الحالي نفسه.",
                ),
            ],
            "accepted": 0,
            "voters": [LAYLA],
            "days": 8,
        },
        {
            "category": "questions",
            "author": LAYLA,
            "title": "هل يرى الضيوف الوقت المسجّل على المهام؟",
            "body": "ندعو بعض العملاء كضيوف في عدد من المشاريع. قبل أن نبدأ باستخدام المؤقت، "
            "أريد أن أعرف هل يستطيع الضيوف رؤية الوقت الذي نسجله على كل مهمة وفي جدول الساعات.",
            "tags": ["الضيوف", "تتبع-الوقت"],
            "replies": [],
            "accepted": None,
            "voters": [],
            "days": 1,
        },
        {
            "category": "ideas",
            "author": OMAR,
            "title": "الوضع الداكن لتطبيق سطح المكتب",
            "body": "تطبيق الويب يتبع سمة النظام، لكن تطبيق سطح المكتب فاتح دائمًا. "
            "نرجو إضافة الوضع الداكن، فهو مفيد جدًا عند التخطيط في المساء.",
            "tags": ["سطح-المكتب", "التصميم"],
            "replies": [(LAYLA, "أؤيد هذا الاقتراح بشدة.")],
            "accepted": None,
            "voters": [LAYLA, SAM],
            "days": 22,
        },
        {
            "category": "ideas",
            "author": LAYLA,
            "title": "مهام متكررة تتخطى عطلة نهاية الأسبوع والإجازات",
            "body": "لدينا مهمة فوترة تتكرر في اليوم الأول من كل شهر، وعندما يوافق يوم جمعة أو سبت "
            "يصبح موعدها في يوم لا يعمل فيه أحد. نتمنى خيارًا لنقلها إلى يوم العمل التالي.",
            "tags": ["المهام-المتكررة"],
            "replies": [
                (
                    SAM,
                    "شكرًا على الاقتراح، أضفناه إلى مراجعة خطة المنتج. للمهام اليومية يمكنك حاليًا "
                    "اختيار **كل يوم عمل** من قائمة التكرار.",
                )
            ],
            "accepted": None,
            "voters": [OMAR],
            "days": 16,
        },
        {
            "category": "tips",
            "author": OMAR,
            "title": "اجتماع التخطيط الأسبوعي باستخدام الفلاتر المحفوظة",
            "body": "كل يوم أحد نفتح ثلاثة فلاتر محفوظة: **مستحقة هذا الأسبوع** و**متأخرة** "
            "و**بلا مسؤول**، ونراجعها خلال عشرين دقيقة. احفظ الفلتر من عرض القائمة عبر "
            "**حفظ العرض** ثم ثبّته في الشريط الجانبي.",
            "tags": ["الفلاتر", "التخطيط"],
            "replies": [(LAYLA, "@OmarKhalil فكرة رائعة، جربناها هذا الأسبوع.")],
            "accepted": None,
            "voters": [LAYLA],
            "days": 13,
        },
        {
            "category": "announcements",
            "author": SAM,
            "title": "صيانة مجدولة يوم الأحد من 02:00 إلى 03:00 بتوقيت UTC",
            "body": "سنحدّث خوادم قواعد البيانات يوم الأحد بين الساعة 02:00 و03:00 بتوقيت UTC. "
            "قد لا تتوفر خدمة Planwise لمدة تصل إلى 15 دقيقة خلال هذه الفترة. بياناتك آمنة، "
            "وستتم مزامنة تطبيقات الجوال فور عودة الخدمة.",
            "tags": ["الصيانة"],
            "replies": [],
            "accepted": None,
            "voters": [],
            "days": 5,
        },
        {
            "category": "questions",
            "author": LAYLA,
            "title": "الفاتورة تعرض عنوان الشركة القديم",
            "body": "انتقلنا إلى مكتب جديد الشهر الماضي، لكن آخر فاتورة ما زالت تعرض العنوان القديم. "
            "أين أغيّر العنوان؟ وهل يمكن تصحيح الفاتورة الأخيرة؟",
            "tags": ["الفوترة", "الفواتير"],
            "replies": [
                (
                    SAM,
                    "يمكنك تغيير العنوان من **الإعدادات ← الفوترة ← بيانات الفوترة**، ويُطبَّق على "
                    "الفواتير القادمة. أما الفاتورة الصادرة فراسل support@planwise.example "
                    "وسنعيد إصدارها بالعنوان الجديد.",
                ),
            ],
            "accepted": 0,
            "voters": [OMAR],
            "days": 6,
        },
    ],
}
