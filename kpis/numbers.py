"""Reading numbers people type or export from spreadsheets, vectorised with pandas.

Accepted: 1234.5, 1,234.5, 1.234,5, 1 234,5, 12,5, 95%, £1,200, -3, 1e6. Spaces (including
non-breaking ones) and apostrophes are thousands separators. A lone separator followed by exactly
three digits (1,234 or 1.234) is ambiguous: it is read with the decimal mark the rest of the
column uses; with no other evidence "1.234" is read as a decimal and "1,234" is refused.
"""

import re

import numpy as np
import pandas as pd

AMBIGUOUS = "ambiguous"
NOT_A_NUMBER = "not_a_number"

_SIGN = r"[+-]?"
PATTERNS = {
    "int": rf"^{_SIGN}\d+$",
    "dot": rf"^{_SIGN}(\d*\.\d+|\d+\.)$",
    "comma": rf"^{_SIGN}(\d*,\d+|\d+,)$",
    "comma_groups": rf"^{_SIGN}\d{{1,3}}(,\d{{3}})+(\.\d*)?$",
    "dot_groups": rf"^{_SIGN}\d{{1,3}}(\.\d{{3}})+(,\d*)?$",
    "sci": rf"^{_SIGN}(\d+\.?\d*|\.\d+)[eE][+-]?\d+$",
}
_LONE_THREE = r"^[+-]?[1-9]\d{0,2}[.,]\d{3}$"
# What clean() strips, and decimal_mark()'s evidence beyond PATTERNS; parse_one reads them too.
_SEPARATORS = r"[\s\u00a0\u202f']"
_CURRENCY = r"^([+-]?)[£$€¥]"
_PERCENT = r"%$"
_COMMA_GROUP_THEN_DOT = r"\d,\d{3}.*\."
_DOT_GROUP_THEN_COMMA = r"\d\.\d{3}.*,"


def clean(series):
    """Strip what is never part of a number: spaces, currency signs, a trailing percent."""
    s = series.astype("string").fillna("").str.strip()
    s = s.str.replace(_SEPARATORS, "", regex=True)
    s = s.str.replace(_CURRENCY, r"\1", regex=True)
    s = s.str.replace(_PERCENT, "", regex=True)
    return s.str.replace("\u2212", "-", regex=False)  # the typographic minus sign


def decimal_mark(series):
    """'.', ',' or None: the decimal mark the unambiguous values of a column agree on."""
    s = clean(series)
    lone_three = s.str.fullmatch(_LONE_THREE).fillna(False)
    dot_evidence = (
        (s.str.fullmatch(PATTERNS["dot"]).fillna(False) & ~lone_three)
        | (s.str.contains(_COMMA_GROUP_THEN_DOT, regex=True).fillna(False))
        | (s.str.count(",") >= 2) & s.str.fullmatch(PATTERNS["comma_groups"]).fillna(False)
        | s.str.fullmatch(PATTERNS["sci"]).fillna(False)
    )
    comma_evidence = (
        (s.str.fullmatch(PATTERNS["comma"]).fillna(False) & ~lone_three)
        | (s.str.contains(_DOT_GROUP_THEN_COMMA, regex=True).fillna(False))
        | (s.str.count(r"\.") >= 2) & s.str.fullmatch(PATTERNS["dot_groups"]).fillna(False)
    )
    has_dot, has_comma = bool(dot_evidence.any()), bool(comma_evidence.any())
    if has_dot and not has_comma:
        return "."
    if has_comma and not has_dot:
        return ","
    return None


def parse(series, mark=None):
    """(values as float Series with NaN, problems Series of '' / AMBIGUOUS / NOT_A_NUMBER).

    Blank input gives NaN with no problem; callers decide whether a blank is allowed.
    """
    values, problem, _ = parse_text(series, mark)
    return values, problem


def parse_text(series, mark=None):
    """Like ``parse``, plus the plain decimal text of each value (exact, for Decimal)."""
    s = clean(series)
    if mark is None:
        mark = decimal_mark(series)
    match = {name: s.str.fullmatch(p).fillna(False).astype(bool) for name, p in PATTERNS.items()}
    lone_three = s.str.fullmatch(_LONE_THREE).fillna(False).astype(bool)
    out = pd.Series(np.full(len(s), None, dtype=object), index=s.index)
    problem = pd.Series("", index=s.index, dtype=object)

    plain = match["int"] | match["sci"] | (match["dot"] & ~(lone_three & (mark == ",")))
    out[plain] = s[plain]
    # "1.234" in a column that writes decimals with a comma is one thousand two hundred...
    dot_thousands = match["dot"] & lone_three & (mark == ",")
    out[dot_thousands] = s[dot_thousands].str.replace(".", "", regex=False)
    comma_decimal = match["comma"] & ~lone_three
    out[comma_decimal] = s[comma_decimal].str.replace(",", ".", regex=False)
    lone_comma = match["comma"] & lone_three
    if mark == ",":
        out[lone_comma] = s[lone_comma].str.replace(",", ".", regex=False)
    elif mark == ".":
        out[lone_comma] = s[lone_comma].str.replace(",", "", regex=False)
    else:
        problem[lone_comma] = AMBIGUOUS
    groups_c = match["comma_groups"] & ~match["comma"]
    out[groups_c] = s[groups_c].str.replace(",", "", regex=False)
    groups_d = match["dot_groups"] & ~match["dot"]
    out[groups_d] = s[groups_d].str.replace(".", "", regex=False).str.replace(",", ".", regex=False)

    blank = s == ""
    unparsed = out.isna() & ~blank & (problem == "")
    problem[unparsed] = NOT_A_NUMBER
    values = pd.to_numeric(out, errors="coerce").astype(float)
    return values, problem, out


def parse_one(text, mark=None):
    """(float or None, problem) for one typed value. ``mark`` is the decimal mark the company
    writes (``settings.DECIMAL_MARK``): with it, "250,000" is a quarter of a million where the
    mark is "." and 250 where it is ",".

    The rules of ``parse`` applied to one string in plain Python: the Series' string methods
    cost ~7 ms for a single value, on every value saved from a form, the grid or the API.
    ``parse_one_reference`` is ``parse`` itself; tests hold the two equal on any text."""
    s = _clean_one(text)
    if mark is None:
        mark = _mark_of_one(s)
    match = {name: bool(pattern.fullmatch(s)) for name, pattern in _COMPILED.items()}
    lone_three = bool(_LONE_THREE_RE.fullmatch(s))
    out, problem = None, ""
    # The assignments of parse_text, in its order (a later one wins).
    if match["int"] or match["sci"] or (match["dot"] and not (lone_three and mark == ",")):
        out = s
    if match["dot"] and lone_three and mark == ",":
        out = s.replace(".", "")
    if match["comma"] and not lone_three:
        out = s.replace(",", ".")
    if match["comma"] and lone_three:
        if mark == ",":
            out = s.replace(",", ".")
        elif mark == ".":
            out = s.replace(",", "")
        else:
            problem = AMBIGUOUS
    if match["comma_groups"] and not match["comma"]:
        out = s.replace(",", "")
    if match["dot_groups"] and not match["dot"]:
        out = s.replace(".", "").replace(",", ".")
    if out is None:
        return None, (NOT_A_NUMBER if s and not problem else problem)
    # pandas' own conversion, as parse's: a digit of another script matches \d but is no number.
    value = pd.to_numeric(np.array([out], dtype=object), errors="coerce").astype(float)[0]
    return (None if np.isnan(value) else float(value)), problem


def parse_one_reference(text, mark=None):
    """``parse_one`` through ``parse``: the plain reference its tests compare with."""
    values, problems = parse(pd.Series([text]), mark)
    value = values.iloc[0]
    return (None if np.isnan(value) else float(value)), problems.iloc[0]


_COMPILED = {name: re.compile(pattern) for name, pattern in PATTERNS.items()}
_LONE_THREE_RE = re.compile(_LONE_THREE)


def _clean_one(text):
    """``clean`` of one string."""
    s = "" if text is None else str(text)
    s = re.sub(_SEPARATORS, "", s.strip())
    s = re.sub(_CURRENCY, r"\1", s)
    s = re.sub(_PERCENT, "", s)
    return s.replace("\u2212", "-")


def _mark_of_one(s):
    """``decimal_mark`` of a column holding only ``s`` (already cleaned)."""
    lone_three = bool(_LONE_THREE_RE.fullmatch(s))
    groups = _COMPILED["comma_groups"].fullmatch(s)
    dot = (
        (_COMPILED["dot"].fullmatch(s) and not lone_three)
        or re.search(_COMMA_GROUP_THEN_DOT, s)
        or (s.count(",") >= 2 and groups)
        or _COMPILED["sci"].fullmatch(s)
    )
    comma = (
        (_COMPILED["comma"].fullmatch(s) and not lone_three)
        or re.search(_DOT_GROUP_THEN_COMMA, s)
        or (s.count(".") >= 2 and _COMPILED["dot_groups"].fullmatch(s))
    )
    if dot and not comma:
        return "."
    if comma and not dot:
        return ","
    return None


_SHORTHAND = re.compile(r"^\s*[+-]?[\d.,]+\s*([kKmMbB]|bn|mn)\s*$")


def problem_message(raw, problem):
    if problem == AMBIGUOUS:
        return (
            f"“{raw}” is ambiguous: write {raw.replace(',', '')} or {raw.replace(',', '.')} "
            "(no thousands separator)."
        )
    if _SHORTHAND.match(raw):
        return f"“{raw}” uses a shorthand: write the whole number (1.5k as 1500)."
    return f"“{raw}” is not a number."


def number_rule(mark):
    """How to write numbers, in words, for under an entry form."""
    if mark == ",":
        return (
            "Write numbers as 250000, 250.000 or 250 000, with a comma for decimals (1.234,5). "
            "A percentage is 12,5 or 12,5%. Shorthands such as 1,5k are not accepted."
        )
    return (
        "Write numbers as 250000, 250,000 or 250 000, with a point for decimals (1,234.5). "
        "A percentage is 12.5 or 12.5%. Shorthands such as 1.5k are not accepted."
    )
