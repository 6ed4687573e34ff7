"""Top-level JSON elements with their lines, also from broken or cut-short files."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.formats import jsonpos


def test_each_array_element_gets_the_line_it_starts_on():
    text = '[\n  {"a": "x\\n]\\"y"},\n\n  {"b": [1,\n 2]},\n  3\n]\n'
    scan = jsonpos.scan(text)
    assert scan.kind == "array"
    assert [e.line for e in scan.elements] == [2, 4, 6]
    assert scan.elements[0].value == {"a": 'x\n]"y'}
    assert scan.error == ""


def test_single_object_is_one_element():
    scan = jsonpos.scan('\ufeff\n{"title": "x"}')
    assert scan.kind == "object"
    assert [(e.line, e.value) for e in scan.elements] == [(2, {"title": "x"})]


def test_cut_short_array_keeps_the_elements_before_the_cut():
    text = '[\n{"a": 1},\n{"a": 2},\n{"a": 3'
    scan = jsonpos.scan(text)
    assert [e.value for e in scan.elements] == [{"a": 1}, {"a": 2}]
    assert scan.error_line == 4
    assert "not valid JSON" in scan.error


def test_garbage_and_empty_text_are_reported_not_raised():
    assert jsonpos.scan("").kind == "invalid"
    assert jsonpos.scan("   ").error == "empty JSON text"
    junk = jsonpos.scan("\x00\x01ÿþ garbage")
    assert junk.kind == "invalid" and junk.error_line == 1
    assert jsonpos.scan("[1, 2] trailing").error == "extra text after the JSON document"
    assert jsonpos.scan("[1 2]").error.startswith("not valid JSON")
    assert jsonpos.scan("[" * 100000).error


def test_first_value_decodes_only_the_first_element():
    assert jsonpos.first_value('[{"x": 1}, this is not json') == {"x": 1}
    assert jsonpos.first_value("[]") is None
    assert jsonpos.first_value("not json") is None
    assert jsonpos.first_value('{"x": 1}') == {"x": 1}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
), max_size=6), st.sampled_from([None, 2]))
def test_lines_match_a_reference_count(values, indent):
    text = json.dumps(values, indent=indent)
    scan = jsonpos.scan(text)
    assert [e.value for e in scan.elements] == values
    for element in scan.elements:
        assert element.line >= 1
    if indent:
        for element in scan.elements:
            line = text.split("\n")[element.line - 1]
            assert line.startswith("  ") and not line.startswith("   ")
