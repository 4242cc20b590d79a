"""The dataset pattern of the query model takes its parts from the generated ALF grammar."""

from __future__ import annotations

from hypothesis import given

from onesdk import alf
from onesdk._repo._query import compile_rel_path_pattern
from tests import strategies


@given(strategies.alf_paths())
def test_every_grammatical_rel_path_matches_the_unconstrained_pattern(path: alf.AlfPath) -> None:
    rel_path = path.rel_path
    if rel_path is None or path.object is None:
        return
    for wildcards in (True, False):  # False: the pattern runs on RE2, without lookaround
        found = compile_rel_path_pattern(wildcards=wildcards).match(rel_path)
        assert found is not None, rel_path
        assert found.group("extension") == path.extension


@given(strategies.file_parts())
def test_a_filename_dict_finds_each_part_where_the_grammar_does(parts: alf.AlfPath) -> None:
    name = str(parts)
    wanted = {"object": parts.object, "attribute": parts.attribute}
    for wildcards in (True, False):
        found = compile_rel_path_pattern(wanted, wildcards=wildcards).match(name)
        assert found is not None, (name, wanted)
        assert found.group("object", "attribute") == (parts.object, parts.attribute)
        assert found.group("namespace") == parts.namespace
