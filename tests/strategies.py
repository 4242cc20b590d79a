"""Shared Hypothesis strategies: ALF parts, names, paths, near-valid names and ALF file trees.

Valid strategies produce *canonical* part sets: values that print to a name which parses back to
exactly the same parts (e.g. a timescale never starts with ``times`` because ``x_times`` would be
read as the attribute ``x_times``). Near-valid strategies produce the kind of almost-right
names users type (a missing extension, a stray character, Windows separators...), for
differential tests and rejection tests. Any test author may reuse these.
"""

from __future__ import annotations

import datetime
import string
from dataclasses import dataclass, field

from hypothesis import strategies as st

from onesdk.alf import LOADER_FORMATS, OBJECTS, AlfPath

LOWER = string.ascii_lowercase
LETTERS = string.ascii_letters
ALNUM = string.ascii_letters + string.digits
WORD = ALNUM + "_"

# Characters that no ALF part accepts (outside \w, '.', '-', '/', '#'): always invalid in a name.
FORBIDDEN = " $%!+=@,;&~()[]{}'^`"


def _text(alphabet: str, min_size: int = 1, max_size: int = 8) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, min_size=min_size, max_size=max_size)


def _starting(first: str, rest: str, max_size: int = 8) -> st.SearchStrategy[str]:
    return st.builds(lambda a, b: a + b, _text(first, 1, 1), _text(rest, 0, max_size - 1))


# --- single parts ------------------------------------------------------------------------------

labs = _starting(LETTERS, WORD).filter(lambda s: s != "Subjects")
subjects = _starting(ALNUM, WORD + ".-").filter(lambda s: s != "Subjects")
dates = st.dates(datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)).map(
    datetime.date.isoformat
)
numbers = st.one_of(st.integers(0, 999).map(lambda n: f"{n:03d}"), st.integers(0, 999).map(str))
collection_segments = _starting(LOWER, LOWER + string.digits + "_-")
collections = st.lists(collection_segments, min_size=1, max_size=3).map("/".join)
revisions = st.one_of(
    dates,
    _starting(ALNUM, ALNUM + "_-"),
    st.tuples(st.integers(0, 9), st.integers(0, 20), st.integers(0, 99)).map(
        lambda v: f"v{v[0]}.{v[1]}.{v[2]}"
    ),
)
namespaces = _text(ALNUM, 1, 8)
objects = st.one_of(
    st.sampled_from(sorted(OBJECTS)), _starting(LETTERS, WORD).filter(lambda s: "__" not in s)
)
_times_suffix = st.sampled_from(["", "", "", "_times", "_intervals"])
attributes = st.builds(lambda a, s: a + s, _text(ALNUM, 1, 10), _times_suffix)
timescales = _text(ALNUM, 1, 10).filter(lambda s: not s.startswith(("times", "intervals")))
extra_parts = _text(ALNUM + "_-", 1, 10)
extras = st.lists(extra_parts, max_size=3).map(tuple)
extensions = st.one_of(st.sampled_from(sorted(LOADER_FORMATS)), _starting(LOWER, LOWER + "_"))
roots = st.one_of(
    st.just(""),
    st.lists(_text(LOWER, 1, 6), min_size=1, max_size=3).map(lambda s: "/" + "/".join(s) + "/"),
    st.lists(_text(LOWER, 1, 6), min_size=1, max_size=2).map(lambda s: "/".join(s) + "/"),
)

PART_STRATEGIES: dict[str, st.SearchStrategy[str]] = {
    "lab": labs,
    "subject": subjects,
    "date": dates,
    "number": numbers,
    "collection": collections,
    "revision": revisions,
    "namespace": namespaces,
    "object": objects,
    "attribute": attributes,
    "timescale": timescales,
    "extension": extensions,
}
"""One valid value of each part on its own (``extra`` parts: see :data:`extra_parts`)."""


# --- whole names and paths ---------------------------------------------------------------------


@st.composite
def file_parts(draw: st.DrawFn) -> AlfPath:
    """An AlfPath holding only a file name (canonical parts)."""
    return AlfPath(
        namespace=draw(st.none() | namespaces),
        object=draw(objects),
        attribute=draw(attributes),
        timescale=draw(st.none() | timescales),
        extra=draw(extras),
        extension=draw(extensions),
    )


@st.composite
def session_parts(draw: st.DrawFn, *, with_root: bool = True) -> AlfPath:
    """An AlfPath holding only a session folder, maybe below a root."""
    return AlfPath(
        root=draw(roots) if with_root else "",
        lab=draw(st.none() | labs),
        subject=draw(subjects),
        date=draw(dates),
        number=draw(numbers),
    )


@st.composite
def alf_paths(draw: st.DrawFn) -> AlfPath:
    """Any valid AlfPath: a session folder, a collection folder, a relative path, a file name
    or a full dataset path."""
    kind = draw(st.sampled_from(["session", "folder", "file", "rel", "full"]))
    base = AlfPath()
    if kind in ("session", "folder", "full"):
        base = draw(session_parts())
    collection = draw(st.none() | collections)
    revision = draw(st.none() | revisions)
    if kind == "session":
        return base
    if kind == "folder":
        return _replace(base, collection=collection or "alf", revision=revision)
    name = draw(file_parts())
    if kind == "file":
        return name
    return AlfPath(
        root=base.root,
        lab=base.lab,
        subject=base.subject,
        date=base.date,
        number=base.number,
        collection=collection,
        revision=revision,
        namespace=name.namespace,
        object=name.object,
        attribute=name.attribute,
        timescale=name.timescale,
        extra=name.extra,
        extension=name.extension,
    )


def _replace(path: AlfPath, *, collection: str | None, revision: str | None) -> AlfPath:
    return AlfPath(
        root=path.root,
        lab=path.lab,
        subject=path.subject,
        date=path.date,
        number=path.number,
        collection=collection,
        revision=revision,
    )


def file_names() -> st.SearchStrategy[str]:
    """A valid ALF file name."""
    return file_parts().map(str)


def dataset_paths() -> st.SearchStrategy[str]:
    """A valid full dataset path (session, maybe collection/revision, file name)."""
    return alf_paths().filter(lambda p: p.subject is not None and p.object is not None).map(str)


# --- near-valid names --------------------------------------------------------------------------


def _mutate(text: str, draw: st.DrawFn) -> str:
    if not text:
        stub: str = draw(st.sampled_from(["", ".", "/", "x"]))
        return stub
    i = draw(st.integers(0, len(text)))
    j = draw(st.integers(i, min(len(text), i + 3)))
    how = draw(st.sampled_from(["insert", "delete", "replace", "swap_sep", "case"]))
    noise: str = draw(st.sampled_from([*FORBIDDEN, *"._-/#\\0aZ", "..", "__", "//", "\n"]))
    if how == "insert":
        return text[:i] + noise + text[i:]
    if how == "delete":
        return text[:i] + text[j:]
    if how == "replace":
        return text[:i] + noise + text[j:]
    if how == "swap_sep":
        return text.replace("/", "\\") if draw(st.booleans()) else text.replace(".", "_", 1)
    return text[:i] + text[i:j].swapcase() + text[j:]


@st.composite
def near_valid(draw: st.DrawFn, base: st.SearchStrategy[str] | None = None) -> str:
    """A valid ALF name or path with one to three small edits (often, but not always, invalid)."""
    text = draw(base if base is not None else alf_paths().map(str))
    for _ in range(draw(st.integers(1, 3))):
        text = _mutate(text, draw)
    return text


# --- ALF trees on disk -------------------------------------------------------------------------


@dataclass(frozen=True)
class AlfTree:
    """A synthetic set of ALF dataset paths below sessions (relative to a root folder)."""

    sessions: tuple[str, ...]
    datasets: tuple[str, ...] = field(default=())


@st.composite
def alf_trees(draw: st.DrawFn, max_sessions: int = 3, max_datasets: int = 6) -> AlfTree:
    """Distinct sessions, each holding distinct valid datasets (paths use '/')."""
    sessions = draw(
        st.lists(
            session_parts(with_root=False).map(str), min_size=1, max_size=max_sessions, unique=True
        )
    )
    datasets: list[str] = []
    for session in sessions:
        rels = draw(
            st.lists(
                st.builds(
                    lambda c, name: f"{c}/{name}" if c else name,
                    st.none() | collections,
                    file_names(),
                ),
                max_size=max_datasets,
                unique=True,
            )
        )
        datasets.extend(f"{session}/{rel}" for rel in rels)
    return AlfTree(tuple(sessions), tuple(datasets))
