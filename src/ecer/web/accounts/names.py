"""User names compared the way people mean them: one normalization, used everywhere.

A user name is stored, looked up and throttled in its normal form: Unicode NFKC (full-width
letters and digits become ASCII, compatibility spaces become plain spaces), surrounding
whitespace removed, then case-folded. "ＨａｉＣｈｅｎｇ ", "haicheng" and "HAICHENG" are one
user and one throttle counter.
"""

from __future__ import annotations

import unicodedata

# Django's User.username is at most 150 characters; a longer input names nobody.
MAX_LENGTH = 150


def normalize_username(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).strip().casefold()
