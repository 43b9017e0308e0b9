"""Normalising identity fields. Pure: no Django imports. Shared by import, search and linkage."""

import operator
import re
import unicodedata

from stdnum.gb import nhs

_NON_LETTER = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")


def name_key(text: str) -> str:
    """Lower case, accents removed, hyphens and apostrophes to spaces, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    ascii_only = ascii_only.replace("-", " ").replace("'", "").replace("\u2019", "")
    return _SPACES.sub(" ", _NON_LETTER.sub(" ", ascii_only)).strip()


def search_name(given_name: str, family_name: str, other_names: str = "") -> str:
    """The words a person can be found by: names and aliases, normalised, space-joined."""
    parts = [given_name, family_name, *other_names.split(";")]
    words: list[str] = []
    for part in parts:
        for word in name_key(part).split():
            if word not in words:
                words.append(word)
    return " ".join(words)[:220]


def nhs_digits(text: str) -> str:
    return re.sub(r"\s+", "", text)


def is_valid_nhs_number(text: str) -> bool:
    digits = nhs_digits(text)
    return len(digits) == 10 and digits.isdigit() and bool(nhs.is_valid(digits))


_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$")


def postcode(text: str) -> str:
    """Upper case with one space before the inward code; unchanged shape if not a postcode."""
    compact = _SPACES.sub("", text.upper())
    match = _POSTCODE.match(compact)
    if match:
        return f"{match.group(1)} {match.group(2)}"
    return compact


def is_valid_postcode(text: str) -> bool:
    compact = _SPACES.sub("", text.upper())
    return bool(_POSTCODE.match(compact)) or compact == "GIR0AA"


def name_dob_key(given_name: str, family_name: str, date_of_birth: str) -> str:
    """Deterministic link key: normalised full name and date of birth; blank if incomplete."""
    given, family = name_key(given_name), name_key(family_name)
    if not (given and family and date_of_birth):
        return ""
    return f"{given}|{family}|{date_of_birth}"


_NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def nhs_check_digit(nine_digits: str) -> int | None:
    """The modulus-11 check digit for the first nine digits; None when none exists (10)."""
    if len(nine_digits) != len(_NHS_WEIGHTS):
        raise ValueError("nine digits are needed")
    total: int = sum(map(operator.mul, map(int, nine_digits), _NHS_WEIGHTS))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check
