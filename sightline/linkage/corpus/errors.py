"""Corruption of single values, after the FEBRL data generator's error types (see the
package docstring): typing, OCR and phonetic errors, and what happens to dates.

Each function takes the random source and a value and returns the corrupted value; a
function that cannot apply (a value too short, no rule matches) returns it unchanged,
and the caller records only changes.
"""

import datetime as dt
import random
import string

LETTERS = string.ascii_lowercase

# QWERTY neighbours (a key and the keys touching it), for typing errors.
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
KEYBOARD: dict[str, str] = {}
for _r, _row in enumerate(_ROWS):
    for _c, _key in enumerate(_row):
        near = [_row[i] for i in (_c - 1, _c + 1) if 0 <= i < len(_row)]
        for _other in (_r - 1, _r + 1):
            if 0 <= _other < len(_ROWS):
                near += [_ROWS[_other][i] for i in (_c - 1, _c) if 0 <= i < len(_ROWS[_other])]
        KEYBOARD[_key] = "".join(sorted(set(near)))
DIGIT_KEYS = {
    d: "".join(x for x in "1234567890"[max(0, i - 1) : i + 2] if x != d)
    for i, d in enumerate("1234567890")
}

# OCR confusions (either way round), as in FEBRL's OCR error table.
OCR: tuple[tuple[str, str], ...] = (
    ("m", "rn"),
    ("d", "cl"),
    ("w", "vv"),
    ("h", "li"),
    ("n", "ri"),
    ("o", "0"),
    ("l", "1"),
    ("i", "l"),
    ("s", "5"),
    ("g", "9"),
    ("b", "6"),
    ("e", "c"),
    ("u", "v"),
)

# Phonetic variants: spellings that sound alike (FEBRL's phonetic rules, a selection,
# and the English and South Asian transliterations seen in English records).
PHONETIC: tuple[tuple[str, str], ...] = (
    ("ph", "f"),
    ("ck", "k"),
    ("ie", "y"),
    ("ey", "y"),
    ("ee", "ea"),
    ("ou", "ow"),
    ("ai", "ay"),
    ("ll", "l"),
    ("nn", "n"),
    ("tt", "t"),
    ("mm", "m"),
    ("th", "t"),
    ("c", "k"),
    ("z", "s"),
    ("x", "ks"),
    ("oh", "o"),
    ("yn", "in"),
    ("ine", "een"),
    ("ae", "a"),
    ("ah", "a"),
    ("moh", "muh"),
    ("mm", "m"),
    ("sh", "ch"),
    ("aa", "a"),
    ("ee", "i"),
    ("oo", "u"),
    ("w", "v"),
)


def _case_like(template: str, value: str) -> str:
    if template.isupper():
        return value.upper()
    if template[:1].isupper():
        return value[:1].upper() + value[1:]
    return value


def _letter(rng: random.Random, near: str = "") -> str:
    return rng.choice(near or LETTERS)


def insert(rng: random.Random, value: str) -> str:
    """One character inserted (a neighbour of the one before it, as a typist would)."""
    if not value:
        return value
    at = rng.randrange(len(value) + 1)
    before = value[at - 1].lower() if at else value[0].lower()
    extra = _letter(rng, KEYBOARD.get(before, ""))
    return value[:at] + (extra.upper() if value.isupper() else extra) + value[at:]


def delete(rng: random.Random, value: str) -> str:
    if len(value) < 3:
        return value
    at = rng.randrange(len(value))
    return value[:at] + value[at + 1 :]


def substitute(rng: random.Random, value: str) -> str:
    """One letter replaced by a keyboard neighbour (digits by neighbouring digits)."""
    places = [i for i, ch in enumerate(value) if ch.isalnum()]
    if not places:
        return value
    at = rng.choice(places)
    ch = value[at]
    if ch.isdigit():
        new = rng.choice(DIGIT_KEYS[ch])
    else:
        new = _letter(rng, KEYBOARD.get(ch.lower(), ""))
        new = new.upper() if ch.isupper() else new
    return value[:at] + new + value[at + 1 :]


def transpose(rng: random.Random, value: str) -> str:
    places = [i for i in range(len(value) - 1) if value[i] != value[i + 1]]
    if not places:
        return value
    at = rng.choice(places)
    return value[:at] + value[at + 1] + value[at] + value[at + 2 :]


def ocr(rng: random.Random, value: str) -> str:
    low = value.lower()
    options = [(a, b) for a, b in OCR if a in low] + [(b, a) for a, b in OCR if b in low]
    if not options:
        return value
    old, new = rng.choice(options)
    at = low.find(old)
    return value[:at] + _case_like(value[at : at + len(old)] or "x", new) + value[at + len(old) :]


def phonetic(rng: random.Random, value: str) -> str:
    low = value.lower()
    options = [(a, b) for a, b in PHONETIC if a in low[1:]] + [
        (b, a) for a, b in PHONETIC if b in low[1:] and len(b) > 1
    ]
    if not options:
        return value
    old, new = rng.choice(options)
    at = low.find(old, 1)
    changed = low[:at] + new + low[at + len(old) :]
    return _case_like(value, changed)


TYPING = (insert, delete, substitute, transpose)


def typo(rng: random.Random, value: str) -> tuple[str, str]:
    """One typing, OCR or phonetic error: (new value, error kind)."""
    kind = rng.choices(
        ("insert", "delete", "substitute", "transpose", "ocr", "phonetic"),
        weights=(15, 20, 30, 15, 8, 12),
    )[0]
    function = {
        "insert": insert,
        "delete": delete,
        "substitute": substitute,
        "transpose": transpose,
        "ocr": ocr,
        "phonetic": phonetic,
    }[kind]
    return function(rng, value), kind


def postcode_typo(rng: random.Random, postcode: str, unit_letters: str) -> str:
    """One character of a UK postcode mistyped, still in the shape of a postcode (an
    agency's form checks the shape, not that the postcode exists): a digit for a
    neighbouring digit, a unit letter for another unit letter."""
    places = [i for i, ch in enumerate(postcode) if ch.isdigit()] + [len(postcode) - 1]
    at = rng.choice(places)
    ch = postcode[at]
    if ch.isdigit():
        # The first digit of the district stays a digit 1-9 (no district 0 after a letter).
        options = (
            DIGIT_KEYS[ch].replace("0", "") if at and postcode[at - 1].isalpha() else DIGIT_KEYS[ch]
        )
        new = rng.choice(options or "1")
    else:
        new = rng.choice(unit_letters.replace(ch, ""))
    return postcode[:at] + new + postcode[at + 1 :]


# --- dates --------------------------------------------------------------------------------


def swap_day_month(day: dt.date) -> dt.date | None:
    """The date read the American way round, when that is a date and a different one."""
    if day.day > 12 or day.day == day.month:
        return None
    return day.replace(month=day.day, day=day.month)


def one_digit(rng: random.Random, day: dt.date, latest: dt.date = dt.date.max) -> dt.date:
    """One digit of ``YYYY-MM-DD`` mistyped, keeping a real date no later than ``latest``
    (retried)."""
    text = day.isoformat()
    for _ in range(20):
        at = rng.choice((2, 3, 6, 8, 9))  # decade, year, month units, day tens and units
        new = text[:at] + rng.choice("0123456789".replace(text[at], "")) + text[at + 1 :]
        try:
            changed = dt.date.fromisoformat(new)
        except ValueError:
            continue
        if changed != day and changed <= latest:
            return changed
    return day
