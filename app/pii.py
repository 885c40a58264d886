"""The one scrubber of personal data in free text that reaches insights.

Search queries, “Was this helpful?” comments, survey answers and gap notes all pass
through `scrub` before they are stored, so staff never see an e-mail address, phone or
card number or a secret link a customer typed. What it replaces:

- e-mail addresses → ``[email]`` (also with a full-width ＠);
- URLs: secret query or fragment values (``token=``, ``key=``, ``password=``, ``sig=`` …)
  → ``[token]``, and ``user:password@`` → ``[credentials]@``;
- card numbers of 13–19 digits that pass the Luhn check → ``[card]``;
- phone numbers of 9–15 digits in the usual en, ja and ar shapes (``+1 (555) 123-4567``,
  ``090-1234-5678``, ``+966 50 123 4567``), also written in Arabic-Indic or full-width digits
  → ``[phone]``; longer digit runs → ``[number]``;
- token-like words (20+ letters and digits mixed) → ``[token]``.

Matching runs on a copy folded character for character (Arabic-Indic and full-width
digits and punctuation become ASCII), so a match's span is the same in the original text.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

# Arabic-Indic, extended Arabic-Indic, Devanagari, Bengali and full-width zeros.
_DIGIT_BLOCKS = ("٠", "۰", "०", "০", "０")
_FOLD = {ord(zero) + n: str(n) for zero in _DIGIT_BLOCKS for n in range(10)}
_FOLD.update(
    {
        ord(wide): narrow
        for wide, narrow in zip("＋－（）＠．：／？＝＆＃　", "+-()@.:/?=&# ", strict=True)
    }
)
# Dashes and marks typed between digit groups (and the RTL/LTR marks Arabic text carries).
_FOLD.update({ord(c): "-" for c in "‐‑‒–—―−ー"})
_FOLD.update({ord(c): " " for c in "\u200e\u200f\u061c\u00a0\u202f"})

_NOT_WORD = r"(?<![A-Za-z0-9_])"
_NOT_WORD_AFTER = r"(?![A-Za-z0-9_])"

URL = re.compile(r"\bhttps?://[^\s<>\"'`]+", re.IGNORECASE)
EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
CARD = re.compile(_NOT_WORD + r"[0-9](?:[ -]?[0-9]){12,18}" + _NOT_WORD_AFTER)
PHONE = re.compile(
    r"(?<![A-Za-z0-9_+])(?:\+|\b00)?\(?[0-9]+\)?"
    r"(?:[ .-]{1,2}\(?[0-9]+\)?|\([0-9]+\)?|(?<=\))[0-9]+\)?)*" + _NOT_WORD_AFTER
)
TOKEN = re.compile(
    r"(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*[0-9])(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{20,}"
    r"(?![A-Za-z0-9_-])"
)
SECRET_NAMES = re.compile(
    r"(?:^|[_.-])(?:token|key|apikey|secret|password|passwd|pass|pwd|sig|signature|auth|code"
    r"|session|sessionid|sid|jwt|otp|hash|credentials?|nonce)(?:$|[_.-])",
    re.IGNORECASE,
)
_USERINFO = re.compile(r"^([a-z]+://)[^/@\s]+@", re.IGNORECASE)

PHONE_DIGITS = range(9, 16)


def luhn_valid(digits: str) -> bool:
    """The card-number check digit test (ISO/IEC 7812)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        n = int(char)
        if position % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _secret_values(params: str) -> str:
    """`a=1&token=x` → `a=1&token=[token]`; unchanged when no name looks secret."""
    if "=" not in params:
        return params
    pairs = parse_qsl(params, keep_blank_values=True)
    if not any(SECRET_NAMES.search(name) and value for name, value in pairs):
        return params
    return "&".join(
        f"{name}=[token]" if SECRET_NAMES.search(name) and value else f"{name}={value}"
        for name, value in pairs
    )


def _scrub_url(url: str) -> str:
    url = _USERINFO.sub(r"\1[credentials]@", url)
    rest, hash_, fragment = url.partition("#")
    base, question, query = rest.partition("?")
    return f"{base}{question}{_secret_values(query)}{hash_}{_secret_values(fragment)}"


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _card(match: re.Match[str]) -> str | None:
    return "[card]" if luhn_valid(_digits(match[0])) else None


_DECIMAL_END = re.compile(r"[0-9]\.[0-9]{1,2}$")  # 1 000 000.00 is an amount, not a phone


def _phone(match: re.Match[str]) -> str | None:
    if _DECIMAL_END.search(match[0]):
        return None
    count = len(_digits(match[0]))
    if count in PHONE_DIGITS:
        return "[phone]"
    return "[number]" if count > PHONE_DIGITS.stop - 1 else None


def _replace(text: str, pattern: re.Pattern[str], replacement) -> str:
    """Apply `replacement` to matches found on the folded text, at the same spans."""
    folded = text.translate(_FOLD)
    out, last = [], 0
    for match in pattern.finditer(folded):
        new = replacement(match) if callable(replacement) else replacement
        if new is None:
            continue
        out.append(text[last : match.start()])
        out.append(new)
        last = match.end()
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


STEPS = (
    (URL, lambda m: _scrub_url(m[0])),
    (EMAIL, "[email]"),
    (CARD, _card),
    (PHONE, _phone),
    (TOKEN, "[token]"),
)


def scrub(text: str) -> str:
    """`text` with personal data and secrets replaced by placeholders (see the module doc)."""
    if not text:
        return text
    for pattern, replacement in STEPS:
        text = _replace(text, pattern, replacement)
    return text
