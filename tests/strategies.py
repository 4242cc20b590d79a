"""Shared Hypothesis strategies: ALF parts, names, paths, near-valid names and ALF file trees.

Valid strategies produce *canonical* part sets: values that print to a name which parses back to
exactly the same parts (e.g. a timescale never starts with ``times`` because ``x_times`` would be
read as the attribute ``x_times``). Near-valid strategies produce the kind of almost-right
names users type (a missing extension, a stray character, Windows separators...), for
differential tests and rejection tests. Any test author may reuse these.
"""

from __future__ import annotations

import datetime
import random
import string
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import strategies as st

from onesdk._lock._core import Lock, LockRequest, PinnedDataset, PinnedSession
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


# --- plain random samples (for differential tests that batch thousands of inputs) ---------------


class NameSampler:
    """Seeded random ALF names and paths, valid and near-valid, without Hypothesis.

    Differential tests send thousands of inputs to the reference in one subprocess call; this
    produces them reproducibly from a seed with the same alphabets as the strategies above.
    """

    NOISE: tuple[str, ...] = (*FORBIDDEN, *"._-/#\\0aZ", "..", "__", "//", "\n")
    NOISE += ("é", "٣", "Subjects")  # a non-ASCII letter, an Arabic-Indic digit, a keyword

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def _word(self, first: str, rest: str, low: int = 1, high: int = 8) -> str:
        rng = self.rng
        size = rng.randint(low, high)
        return rng.choice(first) + "".join(rng.choice(rest) for _ in range(size - 1))

    def _maybe(self, value: str, p: float = 0.5) -> str | None:
        return value if self.rng.random() < p else None

    def parts(self) -> AlfPath:
        """A canonical AlfPath of a random kind (session, folder, file, relative or full)."""
        rng = self.rng
        kind = rng.choice(["session", "folder", "file", "rel", "full", "full"])
        session = kind in ("session", "folder", "full")
        file = kind in ("file", "rel", "full")
        folders = kind in ("folder", "rel", "full")
        timescale = self._word(ALNUM, ALNUM, 1, 8)
        if timescale.startswith(("times", "intervals")):
            timescale = "t" + timescale
        revision = rng.choice(
            [f"20{rng.randint(10, 29)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}", "v1.0.2", "x"]
        )
        return AlfPath(
            root=rng.choice(["", "", "/data/", "mnt/d/", "/"]) if session else "",
            lab=self._maybe(self._word(LETTERS, WORD)) if session else None,
            subject=self._word(ALNUM, WORD + ".-") if session else None,
            date=f"{rng.randint(2000, 2099)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            if session
            else None,
            number=rng.choice([f"{rng.randint(0, 999):03d}", str(rng.randint(0, 999))])
            if session
            else None,
            collection=self._maybe(
                "/".join(
                    self._word(LOWER, LOWER + string.digits + "_-")
                    for _ in range(rng.randint(1, 3))
                ),
                0.9 if kind == "folder" else 0.6,
            )
            if folders
            else None,
            revision=self._maybe(revision, 0.3) if folders else None,
            namespace=self._maybe(self._word(ALNUM, ALNUM), 0.4) if file else None,
            object=(rng.choice([*sorted(OBJECTS), self._word(LETTERS, WORD)]) if file else None),
            attribute=self._word(ALNUM, ALNUM, 1, 10)
            + rng.choice(["", "", "", "_times", "_intervals"])
            if file
            else None,
            timescale=self._maybe(timescale, 0.3) if file else None,
            extra=self._extras() if file else (),
            extension=rng.choice([*sorted(LOADER_FORMATS), self._word(LOWER, LOWER + "_")])
            if file
            else None,
        )

    def _extras(self) -> tuple[str, ...]:
        rng = self.rng
        extra = [self._word(ALNUM + "_-", ALNUM + "_-") for _ in range(rng.choice([0, 0, 1, 2]))]
        if rng.random() < 0.3:  # a dataset UUID, as files on a data server carry
            extra.append(str(uuid.UUID(int=rng.getrandbits(128), version=rng.choice([3, 4, 1]))))
        return tuple(extra)

    def mutate(self, text: str) -> str:
        """``text`` with one small edit: insert, delete, replace, separator swap or case swap."""
        rng = self.rng
        if not text:
            return rng.choice(["", ".", "/", "x"])
        i = rng.randint(0, len(text))
        j = rng.randint(i, min(len(text), i + 3))
        noise = rng.choice(self.NOISE)
        how = rng.choice(["insert", "delete", "replace", "swap_sep", "case"])
        if how == "insert":
            return text[:i] + noise + text[i:]
        if how == "delete":
            return text[:i] + text[j:]
        if how == "replace":
            return text[:i] + noise + text[j:]
        if how == "swap_sep":
            return text.replace("/", "\\") if rng.random() < 0.5 else text.replace(".", "_", 1)
        return text[:i] + text[i:j].swapcase() + text[j:]

    def valid(self) -> str:
        return str(self.parts())

    def near_valid(self) -> str:
        text = self.valid()
        for _ in range(self.rng.randint(1, 3)):
            text = self.mutate(text)
        return text

    def sample(self, count: int, near_valid_share: float = 0.5) -> list[str]:
        """``count`` distinct inputs, about ``near_valid_share`` of them near-valid."""
        seen: dict[str, None] = {}
        while len(seen) < count:
            text = self.near_valid() if self.rng.random() < near_valid_share else self.valid()
            seen.setdefault(text)
        return list(seen)


def write_alf_tree(root: Path, tree: AlfTree, content: bytes = b"") -> list[Path]:
    """Create ``tree`` below ``root``: session folders and dataset files holding ``content``.

    Returns the dataset file paths, sorted. Callers needing real array or table content write
    it themselves over these files.
    """
    for session in tree.sessions:
        (root / session).mkdir(parents=True, exist_ok=True)
    files = sorted(root / dataset for dataset in tree.datasets)
    for file in files:
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(content)
    return files


# --- bad input for public arguments (reliability fuzzing) ---------------------------------------

#: regular expressions that do not compile (and shell patterns full of regex syntax)
bad_regexes = st.sampled_from(
    ["(", ")", "[", "*", "+x", "a{2,1}", "(?P<", "\\", "(?<=a+)b", "[z-a]"]
)
#: strings shaped almost like a UUID
malformed_uuids = st.one_of(
    st.uuids().map(lambda u: str(u)[:-1]),
    st.uuids().map(lambda u: str(u) + "0"),
    st.uuids().map(lambda u: str(u).replace("-", "")[:31]),
    st.uuids().map(lambda u: str(u).replace("a", "g").replace("b", "z")),
    st.just("00000000-0000-0000-0000-00000000000"),
    st.just("not-a-uuid"),
)
#: dates that do not exist or are not dates
invalid_dates = st.sampled_from(
    ["2020-13-01", "2020-02-30", "0000-00-00", "2020/01/01", "01-02-2020", "yesterday", "2020-1-1x"]
)
#: date ranges that are wrong in shape or order
invalid_date_ranges = st.one_of(
    invalid_dates,
    st.lists(dates, min_size=3, max_size=4),
    st.just([]),
    st.tuples(dates, invalid_dates).map(list),
    st.tuples(st.integers(), st.floats()).map(list),
    st.dates(min_value=datetime.date(1, 1, 4)).map(  # an end before the start
        lambda d: [d.isoformat(), (d - datetime.timedelta(days=3)).isoformat()]
    ),
)
#: QC values that are neither a QC name nor one of its values
invalid_qcs = st.one_of(
    st.integers().filter(lambda i: i not in (0, 10, 30, 40, 50)),
    st.sampled_from(["GOOD", "pass?", "", "-1", "1e3", "None"]),
    st.floats(),
    st.booleans(),
)
#: text that is odd but not malformed: unicode letters, combining marks, NULs, newlines
odd_text = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["", " ", "\0", "é", "٣", "a\u0301", "\n", "../..", "/abs", "C:\\x", "💥"]),
)
#: values of the wrong type for almost any argument
wrong_types = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.binary(max_size=8),
    st.complex_numbers(max_magnitude=2),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.just(object()),
    st.sets(st.integers(), max_size=2),
)
#: long lists (tens of thousands of items) of plausible values
huge_lists = st.integers(10_000, 30_000).map(lambda n: [f"x{i}" for i in range(n)])
#: keyword names that no public method takes
unknown_keywords = st.sampled_from(["subjet", "colection", "foo", "Lab", "eid_", "revison", "x"])


def maybe_unknown_keyword(
    values: st.SearchStrategy[object],
) -> st.SearchStrategy[tuple[str, object] | None]:
    """Now and then (one draw in eight) an unknown keyword with a value, else None."""
    pair = st.tuples(unknown_keywords, values)
    return st.integers(0, 7).flatmap(lambda i: pair if i == 0 else st.none())


def bad_values() -> st.SearchStrategy[object]:
    """Any of the bad-input kinds above (for an argument of any type)."""
    return st.one_of(
        wrong_types,
        odd_text,
        malformed_uuids,
        invalid_dates,
        bad_regexes,
        invalid_qcs,
        st.lists(odd_text, max_size=4),
    )


# --- data locks --------------------------------------------------------------------------------

_lock_text = st.text(min_size=1, max_size=12).filter(lambda s: s == s.strip())
lock_session_paths = st.builds(
    lambda lab, subject, date, n: (
        f"{lab}/Subjects/{subject}/{date}/{n:03d}" if lab else f"{subject}/{date}/{n:03d}"
    ),
    st.none() | labs,
    subjects,
    dates,
    st.integers(0, 999),
)
lock_rel_paths = st.builds(
    lambda collection, revision, name: "/".join(
        p for p in (collection, f"#{revision}#" if revision else None, name) if p
    ),
    st.none() | collections,
    st.none() | revisions,
    file_names(),
)


@st.composite
def locks(draw: st.DrawFn, max_sessions: int = 3, max_datasets: int = 4) -> Lock:
    """An arbitrary valid :class:`onesdk.Lock` (unique eids, folders, ids and paths)."""
    eids = draw(st.lists(st.uuids(), max_size=max_sessions, unique=True))
    paths = draw(st.lists(lock_session_paths, min_size=len(eids), max_size=len(eids), unique=True))
    sessions = tuple(PinnedSession(e, p) for e, p in zip(eids, paths, strict=True))
    datasets: list[PinnedDataset] = []
    ids: set[uuid.UUID] = set()
    for eid in eids:
        for rel_path in draw(st.lists(lock_rel_paths, max_size=max_datasets, unique=True)):
            dataset_id = draw(st.uuids().filter(lambda u: u not in ids))
            ids.add(dataset_id)
            datasets.append(
                PinnedDataset(
                    eid=eid,
                    id=dataset_id,
                    rel_path=rel_path,
                    size=draw(st.none() | st.integers(0, 2**53)),
                    md5=draw(st.none() | st.text("0123456789abcdef", min_size=32, max_size=32)),
                    qc=draw(st.sampled_from(["NOT_SET", "PASS", "WARNING", "FAIL", "CRITICAL"])),
                )
            )
    request = LockRequest(
        datasets=draw(st.none() | st.lists(_lock_text, min_size=1, max_size=3).map(tuple)),
        collection=draw(st.none() | st.just("") | collections),
        revision=draw(st.none() | st.just("") | revisions),
    )
    return Lock(
        sessions=sessions,
        datasets=tuple(datasets),
        request=request,
        server=draw(st.none() | st.sampled_from(["http://alyx.test", "https://a.example.org"])),
        data_server=draw(st.none() | st.just("http://files.test")),
        cache_tag=draw(st.none() | _lock_text),
        cache_created=draw(st.none() | st.datetimes().map(lambda d: d.isoformat())),
        onesdk_version=draw(st.sampled_from(["0.1.0", "", "1.2.3rc1"])),
    )
