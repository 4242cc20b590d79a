"""``onesdk.alf.describe``: the full ALF path template and the part descriptions, as a value."""

from __future__ import annotations

from typing import assert_type

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onesdk import alf
from onesdk.errors import ArgumentError

PARTS = list(alf.PART_DESCRIPTIONS)


def _description_lines(text: str, part: str) -> list[str]:
    """The lines under the heading of ``part``, up to the next blank line."""
    lines = text.splitlines()
    start = lines.index(part.upper()) + 1
    end = lines.index("", start) if "" in lines[start:] else len(lines)
    return lines[start:end]


@pytest.mark.parametrize("part", PARTS)
def test_the_caret_line_sits_under_the_part_in_the_template(part: str) -> None:
    template, carets, *_ = alf.describe(part).splitlines()
    assert template == alf.path_pattern()
    assert template.count(part) == 1, "the part's name must be findable on its own"
    start = template.index(part)
    assert set(carets) == {" ", "^"}
    assert carets.index("^") == start
    assert carets.rstrip() == " " * start + "^" * len(part)


def test_one_part_is_described_alone_under_its_name_in_capitals() -> None:
    lines = alf.describe("object").splitlines()
    assert lines[2:4] == ["", "OBJECT"]
    others = {p.upper() for p in PARTS if p != "object"}
    assert not others & set(lines)


@given(st.sampled_from(PARTS), st.integers(1, 150))
def test_description_lines_fit_the_width_and_keep_every_word(part: str, width: int) -> None:
    lines = _description_lines(alf.describe(part, width=width), part)
    for line in lines:
        assert len(line) <= width or " " not in line, (width, line)
    assert " ".join(lines).split() == alf.PART_DESCRIPTIONS[part].split()


def test_every_part_appears_in_path_order_when_no_part_is_given() -> None:
    text = alf.describe(width=70)
    lines = text.splitlines()
    assert lines[0] == alf.path_pattern()
    assert "^" not in text
    headings = [line for line in lines if line in {p.upper() for p in PARTS}]
    assert headings == [p.upper() for p in PARTS]
    for part in PARTS:
        described = _description_lines(text, part)
        assert " ".join(described).split() == alf.PART_DESCRIPTIONS[part].split()


def test_the_repr_is_the_text_so_the_prompt_shows_the_display() -> None:
    shown = alf.describe("extension")
    assert_type(shown, alf.AlfDescription)
    assert isinstance(shown, str)
    assert repr(shown) == str(shown)
    assert repr(shown).startswith(alf.path_pattern())


def test_notebooks_pretty_print_the_text_itself() -> None:
    class Printer:
        def __init__(self) -> None:
            self.parts: list[str] = []

        def text(self, obj: str) -> None:
            self.parts.append(obj)

    shown = alf.describe("revision")
    printer = Printer()
    shown._repr_pretty_(printer, cycle=False)
    assert printer.parts == [str(shown)]


def test_describe_prints_nothing_and_print_shows_the_text(
    capsys: pytest.CaptureFixture[str],
) -> None:
    shown = alf.describe("object")
    assert capsys.readouterr().out == ""
    print(shown)
    assert capsys.readouterr().out == str(shown) + "\n"


@pytest.mark.parametrize(("part", "closest"), [("Object", "object"), ("objects", "object")])
def test_an_unknown_part_names_the_argument_lists_the_parts_and_the_closest(
    part: str, closest: str
) -> None:
    with pytest.raises(ArgumentError) as caught:
        alf.describe(part)
    assert isinstance(caught.value, ValueError)
    assert caught.value.argument == "part"
    message = str(caught.value)
    assert repr(part) in message
    assert all(p in message for p in PARTS)
    assert f"did you mean {closest!r}" in message


@pytest.mark.parametrize("part", ["", "dimensions", 3])
def test_a_part_that_is_no_alf_part_name_is_refused(part: object) -> None:
    with pytest.raises(ArgumentError) as caught:
        alf.describe(part)  # type: ignore[arg-type]
    assert caught.value.argument == "part"


@pytest.mark.parametrize("width", [0, -1, 2.5, True, "99", None])
def test_a_width_that_is_not_a_positive_int_is_refused(width: object) -> None:
    with pytest.raises(ArgumentError) as caught:
        alf.describe("object", width=width)  # type: ignore[arg-type]
    assert caught.value.argument == "width"
    assert "positive int" in str(caught.value)
