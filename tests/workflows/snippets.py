"""Workflow snippets from the reference's documentation, adapted to the recorded corpus.

Each snippet is user code as the documentation pages write it: it uses ``one`` and a few names
bound by the harness (the corpus identities below, ``root`` the cache dir, ``tmp`` a scratch dir,
and the ALF helpers the pages import), and leaves its answer in ``result``. The same text runs
under one-api 3.6.1 and under onesdk; only the import lines differ (see ``PRELUDES``).

A snippet's ``verdict`` says what the harness asserts: ``SAME`` (equal after normalising), a
``Documented`` row of docs/differences.md (with a check of onesdk's documented behaviour), or an
``Open`` difference that is expected to fail until fixed (run as a strict xfail).
"""

from __future__ import annotations

import dataclasses

#: names every snippet may use, bound to the corpus sessions (expected/identities.json)
IDENTITIES = {
    "eA": "3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80",  # trials.table in 4 revisions, two probes
    "eB": "0aae33b1-cc2e-40b4-bd34-413f917e4539",  # wheel revisions, no probes
    "eC": "40ed367e-8564-41dc-a324-17c42f62323b",  # two probes
    "eD": "0e1908e5-32ae-4f10-af5e-ad0be38a95e0",  # a dataset only in a revision
    "refA": "2024-09-17_1_ZM_3003",
    "sessA": "mainenlab/Subjects/ZM_3003/2024-09-17/001",
    "sessC": "cortexlab/Subjects/KS051/2023-01-10/001",
    "pidC": "87721646-72da-494b-a664-29044f1a03a2",
    "unknown": "00000000-0000-4000-8000-000000000000",
}

_ALF_NAMES = (
    "filename_parts, get_session_path, remove_uuid_string, add_uuid_string, "
    "session_path_parts, full_path_parts"
)
_SPEC_NAMES = "is_session_path, is_uuid_string, is_uuid, to_alf, is_valid, path_pattern, describe"

#: the import lines of each side; everything after them is the same text
PRELUDES = {
    "one-api": (
        "from one.api import ONE, One\n"
        "from one.alf.path import ALFPath, " + _ALF_NAMES + "\n"
        "from one.alf.spec import " + _SPEC_NAMES + "\n"
    ),
    "onesdk": (
        "from onesdk import ONE, One\n"
        "from onesdk.alf import ALFPath, " + _ALF_NAMES + ", " + _SPEC_NAMES + "\n"
    ),
}


@dataclasses.dataclass(frozen=True)
class Documented:
    """A difference listed in docs/differences.md; ``check`` (an expression over ``result``,
    the onesdk result, and ``theirs``, the reference's, both normalised) must hold."""

    row: str
    check: str


@dataclasses.dataclass(frozen=True)
class Open:
    """A difference not fixed yet, with the reason; the test is a strict xfail."""

    reason: str


SAME = "same"
MODES = ("local", "remote", "tag")
Verdict = str | Documented | Open


@dataclasses.dataclass(frozen=True)
class Snippet:
    name: str
    page: str
    code: str
    #: 'local': a local cache dir; 'remote': the replay server; 'tag': the replay server, on an
    #: instance that loads the tag cache tables in its first snippet
    mode: str = "local"
    verdict: Verdict = SAME
    #: environment variables set while the snippet runs (one-api reads them at import time,
    #: so its harness also sets the module constant the variable feeds)
    env: tuple[tuple[str, str], ...] = ()


def _s(
    name: str,
    page: str,
    code: str,
    mode: str = "local",
    verdict: Verdict = SAME,
    env: tuple[tuple[str, str], ...] = (),
) -> Snippet:
    return Snippet(name, page, code.strip() + "\n", mode, verdict, env)


QUICKSTART = "quickstart"
SEARCH = "searching"
LIST = "listing"
LOAD = "loading"
IDS = "experiment ids"
ALF = "ALF paths"
TYPES = "datasets and types"
SHARE = "data sharing"
RECORD = "recording data access"
MODES_PAGE = "modes"
ADVANCED = "REST queries"
QUERIES = "useful alyx queries"
FAQ = "FAQ"

_NO_MATCH = Documented("`search(details=True)` with no match", "result == [[], []]")
_DATASET_ALIAS = Documented(
    "`search(dataset=...)`", "theirs == {'error': 'ValueError'} and isinstance(result, list)"
)

LOCAL: list[Snippet] = [
    # --- quickstart / searching -------------------------------------------------------
    _s("search_terms", SEARCH, "result = sorted(one.search_terms())"),
    _s(
        "search_date_range",
        SEARCH,
        "result = one.search(date_range=['2023-01-01', '2023-06-30'])",
    ),
    _s(
        "search_date_range_details",
        SEARCH,
        "eids, details = one.search(date_range=['2024-01-01', '2024-12-31'], details=True)\n"
        "result = [eids, [(d['subject'], d['lab'], d['number'], str(d['date'])) for d in details]]",
    ),
    _s(
        "search_dataset_alias",
        QUICKSTART,
        "result = one.search(date_range=['2023-01-01', '2024-12-31'], dataset='spikes.times')",
        verdict=_DATASET_ALIAS,
    ),
    _s(
        "search_subject_datasets",
        SEARCH,
        "result = one.search(subject='KS051', datasets=['spikes.times', 'spikes.clusters'])",
    ),
    _s("search_subject_exact", FAQ, "result = one.search(subject='^KS051$')"),
    _s("search_subject_regex", SHARE, "result = one.search(subject='ZM_.*')"),
    _s("search_subject_partial", FAQ, "result = one.search(subject='SWC_06')"),
    _s("search_lab", MODES_PAGE, "result = one.search(lab='cortexlab')"),
    _s("search_lab_list", SEARCH, "result = one.search(lab=['cortexlab', 'mainenlab'])"),
    _s("search_laboratory", SEARCH, "result = one.search(laboratory='hoferlab')"),
    _s("search_number", SEARCH, "result = one.search(number=2)"),
    _s("search_project", SEARCH, "result = one.search(project='ibl_neuropixel')"),
    _s("search_projects", SEARCH, "result = one.search(projects='hofer_visual_cortex')"),
    _s("search_task_protocol", SEARCH, "result = one.search(task_protocol='ephys')"),
    _s("search_date_single", IDS, "result = one.search(date='2024-09-17')"),
    _s("search_date_open_end", SEARCH, "result = one.search(date_range=['2024-06-01', None])"),
    _s(
        "search_date_object",
        SEARCH,
        "import datetime\nresult = one.search(date_range=datetime.date(2023, 1, 10))",
    ),
    _s(
        "search_datasets_qc",
        FAQ,
        "result = one.search(datasets=['_ibl_trials.table.pqt'], dataset_qc_lte='WARNING')",
    ),
    _s(
        "search_dataset_qc_list",
        FAQ,
        "result = one.search(dataset=['trials', 'spikes'], dataset_qc_lte='WARNING')",
        verdict=_DATASET_ALIAS,
    ),
    _s("search_no_match", SEARCH, "result = one.search(subject='nobody')"),
    _s(
        "search_no_match_details",
        SEARCH,
        "result = one.search(subject='nobody', details=True)",
        verdict=_NO_MATCH,
    ),
    _s(
        "search_data_prefix",
        IDS,
        "result = one.search(data='channels.localCoordinates', date=['2023-01-01', '2023-12-31'])",
    ),
    # --- listing ----------------------------------------------------------------------
    _s("list_datasets_all", LIST, "result = sorted(one.list_datasets())"),
    _s("list_datasets_eid", LIST, "result = one.list_datasets(eC)"),
    _s(
        "list_datasets_collection_wild",
        QUICKSTART,
        "result = one.list_datasets(eC, collection='alf*')",
    ),
    _s(
        "list_datasets_collection", LIST, "result = one.list_datasets(eC, collection='alf/probe01')"
    ),
    _s("list_datasets_any_probe", LIST, "result = one.list_datasets(eC, collection='*probe*')"),
    _s("list_datasets_filename_positional", LIST, "result = one.list_datasets(eC, '*raw*')"),
    _s(
        "list_datasets_filename_list",
        LIST,
        "result = one.list_datasets(eC, ['*spikes*', '*clusters*'])",
    ),
    _s(
        "list_datasets_filename_dict",
        LIST,
        "result = one.list_datasets(eC, filename={'attribute': ['timestamps', 'intervals'], "
        "'extension': 'npy'})",
    ),
    _s("list_datasets_qc", LIST, "result = one.list_datasets(eA, qc='WARNING')"),
    _s(
        "list_datasets_qc_set",
        LIST,
        "result = one.list_datasets(eA, qc='WARNING', ignore_qc_not_set=True)",
    ),
    _s(
        "list_datasets_details",
        LIST,
        "frame = one.list_datasets(eA, details=True)\n"
        "result = sorted(zip(frame['rel_path'], frame['qc'].astype(str), "
        "frame['default_revision']))",
    ),
    _s(
        "list_datasets_keep_eid_index",
        LIST,
        "frame = one.list_datasets(eB, details=True, keep_eid_index=True)\n"
        "result = [list(frame.index.names), sorted(map(str, frame.index.get_level_values(0)))]",
    ),
    _s("list_datasets_revision", LIST, "result = one.list_datasets(eA, revision='2023-04-01')"),
    _s(
        "list_datasets_revision_before",
        LIST,
        "result = one.list_datasets(eA, revision='2024-03-01', filename='_ibl_trials.table.pqt')",
    ),
    _s(
        "list_datasets_default_only",
        LIST,
        "result = one.list_datasets(eA, default_revisions_only=True)",
    ),
    _s("list_datasets_root_collection", LIST, "result = one.list_datasets(eB, collection='')"),
    _s("list_datasets_short_path", LIST, "result = one.list_datasets('ZM_3003/2024-09-17/001')"),
    _s(
        "list_datasets_object_dict",
        LIST,
        "result = one.list_datasets(eB, {'object': ['wheel', 'trial?']})",
    ),
    _s("list_collections_all", LIST, "result = sorted(one.list_collections())"),
    _s("list_collections_eid", LIST, "result = sorted(one.list_collections(eC))"),
    _s(
        "list_collections_filename",
        LIST,
        "result = sorted(one.list_collections(eC, filename='*spikes*'))",
    ),
    _s(
        "list_collections_revision",
        LIST,
        "result = sorted(one.list_collections(eA, collection='alf*', revision='2024-01-01'))",
    ),
    _s(
        "list_collections_details",
        LIST,
        "details = one.list_collections(eC, details=True)\n"
        "result = {k: sorted(v['rel_path']) for k, v in details.items()}",
    ),
    _s("list_revisions_all", LIST, "result = sorted(one.list_revisions())"),
    _s("list_revisions_eid", LIST, "result = sorted(one.list_revisions(eA))"),
    _s(
        "list_revisions_wildcard", LIST, "result = sorted(one.list_revisions(eA, revision='2024*'))"
    ),
    _s(
        "list_revisions_details",
        LIST,
        "details = one.list_revisions(eB, details=True)\n"
        "result = {k: sorted(v['rel_path']) for k, v in details.items()}",
    ),
    _s("list_subjects", LIST, "result = sorted(one.list_subjects())"),
    _s(
        "list_then_load_datasets",
        LIST,
        "datasets = one.list_datasets(eC, ['*spikes*', '*clusters*'], qc='PASS', "
        "ignore_qc_not_set=False)\n"
        "data, records = one.load_datasets(eC, datasets)\n"
        "result = [datasets, data, [r['rel_path'] for r in records]]",
    ),
    _s(
        "list_then_load_collections",
        LIST,
        "collections = one.list_collections(eC, collection='alf/probe*')\n"
        "data = {key: one.load_collection(eC, key) for key in collections}\n"
        "result = {k: sorted(v.keys()) for k, v in data.items()}",
    ),
    _s(
        "list_collections_then_load_object",
        LIST,
        "collections = sorted(one.list_collections(eC, filename='clusters*'))\n"
        "result = one.load_object(eC, 'spikes', collection=collections[0])",
    ),
    # --- loading ----------------------------------------------------------------------
    _s(
        "load_object",
        LOAD,
        "trials = one.load_object(eA, 'trials')\nresult = sorted(trials.keys())",
    ),
    _s(
        "load_object_attributes",
        LOAD,
        "result = one.load_object(eA, 'trials', attribute=['choice', 'feedbackType'])",
    ),
    _s(
        "load_object_collection",
        LOAD,
        "result = one.load_object(eC, 'clusters', collection='alf/probe01')",
    ),
    _s(
        "load_object_download_only",
        LOAD,
        "result = sorted(one.load_object(eC, 'clusters', collection='alf/probe01', "
        "download_only=True))",
    ),
    _s("load_object_revision_default", LOAD, "result = one.load_object(eB, 'wheel')"),
    _s(
        "load_object_revision",
        LOAD,
        "result = one.load_object(eB, 'wheel', revision='2024-06-01')",
    ),
    _s(
        "load_object_probe_revisions",
        LOAD,
        "result = one.load_object(eC, 'spikes', collection='alf/probe00')",
    ),
    _s("load_dataset", LOAD, "result = one.load_dataset(eA, '_ibl_trials.choice.npy')"),
    _s(
        "load_dataset_collection",
        LOAD,
        "result = one.load_dataset(eC, 'clusters.metrics.pqt', collection='alf/probe01')",
    ),
    _s(
        "load_dataset_critical_qc_excluded",
        LOAD,
        "result = one.load_dataset(eC, 'spikes.times.npy', collection='alf/probe01')",
    ),
    _s(
        "load_dataset_table",
        LOAD,
        "result = one.load_dataset(eA, '_ibl_trials.table.pqt')",
    ),
    _s(
        "load_dataset_revision",
        LOAD,
        "result = one.load_dataset(eA, '_ibl_trials.table.pqt', revision='2023-04-01')",
    ),
    _s(
        "load_dataset_revision_before",
        LOAD,
        "result = one.load_dataset(eA, '_ibl_trials.table.pqt', revision='2024-03-01')",
    ),
    _s(
        "load_dataset_wildcard",
        LOAD,
        "result = one.load_dataset(eA, '*trials.intervals*', collection='alf')",
    ),
    _s(
        "load_dataset_no_extension",
        LOAD,
        "result = one.load_dataset(eA, 'trials.choice')",
        verdict=Documented(
            "`load_dataset(eid, 'trials.choice')`",
            "theirs == {'error': 'ALFObjectNotFound'} and result['ndarray'] is not None",
        ),
    ),
    _s(
        "load_dataset_dict",
        LOAD,
        "result = one.load_dataset(eB, {'object': 'wheel', 'attribute': 'position'})",
    ),
    _s(
        "load_dataset_download_only",
        ALF,
        "path = one.load_dataset(eA, '_ibl_trials.choice.npy', download_only=True)\n"
        "result = [path, isinstance(path, ALFPath), path.session_path(), path.dataset_name_parts]",
    ),
    _s(
        "load_dataset_revision_only",
        LOAD,
        "result = one.load_dataset(eD, '_ibl_trials.intervals_bpod.npy')",
    ),
    _s(
        "load_dataset_yaml",
        LOAD,
        "result = one.load_dataset(eA, '_ibl_experiment.description.yaml')",
    ),
    _s("load_dataset_missing", LOAD, "result = one.load_dataset(eA, 'foo.bar.npy')"),
    _s(
        "load_datasets",
        LOAD,
        "data, info = one.load_datasets(eA, datasets=['_ibl_trials.choice.npy', "
        "'_ibl_trials.intervals.npy'])\n"
        "result = [data, [i['rel_path'] for i in info]]",
    ),
    _s(
        "load_datasets_collections",
        LOAD,
        "data, info = one.load_datasets(eC, datasets=['_ibl_trials.choice.npy', "
        "'clusters.metrics.pqt'], collections=['alf', 'alf/probe01'])\n"
        "result = [data, [i['rel_path'] for i in info]]",
    ),
    _s(
        "load_datasets_download_only",
        LOAD,
        "paths, info = one.load_datasets(eA, ['_ibl_trials.table.pqt', '_ibl_trials.choice.npy'], "
        "revisions=['2023-04-01', None], download_only=True)\n"
        "result = paths",
    ),
    _s(
        "load_datasets_frame",
        LOAD,
        "dsets = one.list_datasets(eA, qc='WARNING', ignore_qc_not_set=True, details=True)\n"
        "data, info = one.load_datasets(eA, dsets)\n"
        "result = sorted(i['rel_path'] for i in info)",
    ),
    _s(
        "load_collection",
        LOAD,
        "result = {k: sorted(v.keys()) for k, v in one.load_collection(eC, 'alf/probe00').items()}",
    ),
    _s(
        "load_collection_object",
        LOAD,
        "result = one.load_collection(eC, 'alf/probe00', object='spikes')",
    ),
    _s(
        "load_collection_download_only",
        LOAD,
        "result = sorted(one.load_collection(eC, 'alf/probe01', download_only=True))",
    ),
    # --- experiment ids ---------------------------------------------------------------
    _s(
        "eid2path",
        IDS,
        "session_path = one.eid2path(eA)\n"
        "result = [session_path, is_session_path(session_path), session_path.exists()]",
    ),
    _s("eid2path_list", IDS, "result = one.eid2path([eA, eC])"),
    _s("eid2ref", IDS, "result = one.eid2ref(eA)"),
    _s("eid2ref_list", IDS, "ref_dict = one.eid2ref([eA, eC])\nresult = [len(ref_dict), ref_dict]"),
    _s("eid2ref_str", IDS, "result = one.eid2ref(eA, as_dict=False)"),
    _s("eid2ref_unparsed", IDS, "result = one.eid2ref(eC, parse=False)"),
    _s("dict2ref_sorted", IDS, "result = sorted(one.dict2ref(one.eid2ref([eA, eC])))"),
    _s(
        "ids_round_trip",
        IDS,
        "eid = one.path2eid(one.ref2path(one.dict2ref(one.eid2ref(eA))))\nresult = eid == eA",
    ),
    _s(
        "to_eid_mixed",
        IDS,
        "result = one.to_eid([refA, eC, 'KS051/2023-01-10/001', one.eid2path(eB)])",
    ),
    _s(
        "to_eid_records",
        ADVANCED,
        "eids, info = one.search(subject='KS051', details=True)\nresult = one.to_eid(info) == eids",
    ),
    _s("to_eid_uuid", IDS, "from uuid import UUID\nresult = one.to_eid(UUID(eC))"),
    _s("ref2eid", IDS, "result = one.ref2eid(refA)"),
    _s("ref2eid_list", IDS, "result = one.ref2eid([refA, '2023-01-10_1_KS051'])"),
    _s(
        "ref2eid_dict",
        IDS,
        "result = one.ref2eid({'subject': 'ZM_3003', 'date': '2024-09-17', 'sequence': 1})",
    ),
    _s("ref2path", IDS, "result = one.ref2path(refA)"),
    _s("ref2path_list", IDS, "result = one.ref2path([refA, '2023-01-10_1_KS051'])"),
    _s("path2ref", IDS, "result = one.path2ref(root / sessA)"),
    _s("path2ref_list", IDS, "result = one.path2ref([root / sessA, root / sessC])"),
    _s("path2eid_subfolder", IDS, "result = one.path2eid(root / sessC / 'alf' / 'probe00')"),
    _s("path2eid_list", IDS, "result = one.path2eid([root / sessA, root / sessC])"),
    _s("is_exp_ref", IDS, "result = [one.is_exp_ref(refA), one.is_exp_ref('KS051/2023-01-10/1')]"),
    _s(
        "ids_checks",
        IDS,
        "from uuid import UUID\n"
        "result = [is_uuid_string(eA), is_uuid(UUID(eA)), is_uuid_string(refA)]",
    ),
    _s(
        "load_by_session_path",
        IDS,
        "result = one.load_dataset(one.eid2path(eA), '_ibl_trials.choice.npy')",
    ),
    _s(
        "load_by_file_path",
        IDS,
        "filepath = one.load_dataset(eA, '_ibl_trials.choice.npy', download_only=True)\n"
        "result = one.load_dataset(filepath, '_ibl_trials.choice.npy')",
    ),
    _s(
        "load_by_short_path",
        IDS,
        "result = one.load_dataset('ZM_3003/2024-09-17/001', '_ibl_trials.choice.npy')",
    ),
    _s("load_by_ref", IDS, "result = one.load_dataset(refA, '_ibl_trials.choice.npy')"),
    _s(
        "load_by_ref_dict",
        IDS,
        "result = one.load_dataset(one.eid2ref(eA), '_ibl_trials.choice.npy')",
    ),
    _s(
        "load_object_short_path",
        IDS,
        "result = one.load_object('KS051/2023-01-10/001', 'clusters', collection='alf/probe00', "
        "attribute='metrics')",
    ),
    _s(
        "get_details",
        IDS,
        "info = one.get_details(eA)\n"
        "result = {k: info[k] for k in ('subject', 'lab', 'number', 'date', 'task_protocol')}",
    ),
    _s(
        "get_details_full",
        IDS,
        "info = one.get_details(eA, full=True)\nresult = sorted(info['rel_path'])",
    ),
    _s(
        "path2record",
        IDS,
        "result = one.path2record(root / sessA / 'alf' / '_ibl_trials.choice.npy')['rel_path']",
    ),
    # --- recording data access --------------------------------------------------------
    _s(
        "record_loaded",
        RECORD,
        "one.record_loaded = True\n"
        "one.load_object(eA, 'trials', attribute='choice')\n"
        "one.load_dataset(eC, 'clusters.metrics.pqt', collection='alf/probe00')\n"
        "ids, filename = one.save_loaded_ids(clear_list=False)\n"
        "eids, filename2 = one.save_loaded_ids(sessions_only=True)\n"
        "empty = one.save_loaded_ids()\n"
        "one.record_loaded = False\n"
        "result = [sorted(map(str, ids)), filename.name.split('_', 1)[1], sorted(map(str, eids)),\n"
        "          filename2.name.split('_', 1)[1], empty]",
    ),
    # --- data sharing -----------------------------------------------------------------
    _s(
        "setup_local_cache",
        SHARE,
        "files = ['subject/2021-06-01/001/probes.description.json',\n"
        "         'subject/2021-06-01/001/alf/probe00/spikes.times.npy',\n"
        "         'subject/2021-06-01/001/alf/probe01/spikes.times.npy',\n"
        "         'subject/2021-06-01/001/alf/probe01/#2021-07-05#/spikes.times.npy']\n"
        "for file in files:\n"
        "    path = tmp / 'share' / file\n"
        "    path.parent.mkdir(parents=True, exist_ok=True)\n"
        "    path.touch()\n"
        "shared = One.setup(tmp / 'share', hash_files=False, silent=True)\n"
        "result = [shared.search(subject='subject'),\n"
        "          sorted(shared.list_datasets('subject/2021-06-01/001')),\n"
        "          sorted(shared.list_revisions('subject/2021-06-01/001')),\n"
        "          sorted(shared.list_collections('subject/2021-06-01/001'))]\n"
        "result[0] = len(result[0])",
    ),
    # --- ALF paths ----------------------------------------------------------------------
    _s(
        "alfpath_session_parts",
        ALF,
        "path = ALFPath('/data/cortexlab/Subjects/NYU-001/2019-10-01/001/alf/task_00/"
        "#2020-01-01#/_ibl_trials.table.pqt')\n"
        "result = [path.lab, path.subject, path.date, path.sequence, path.collection, "
        "path.revision]",
    ),
    _s(
        "alfpath_filename_parts",
        ALF,
        "path = ALFPath('/data/cortexlab/Subjects/NYU-001/2019-10-01/001/alf/#2020-01-01#/"
        "_ibl_trials.table.pqt')\n"
        "result = [path.name, path.object, path.attribute, path.suffix, path.namespace, "
        "path.extra, path.timescale, path.stem]",
    ),
    _s(
        "alfpath_part_tuples",
        ALF,
        "path = ALFPath('/data/cortexlab/Subjects/NYU-001/2019-10-01/001/alf/task_00/"
        "#2020-01-01#/_ibl_trials.table.pqt')\n"
        "result = [path.alf_parts, path.session_parts, path.dataset_name_parts]",
    ),
    _s(
        "alfpath_parse",
        ALF,
        "path = ALFPath('/data/cortexlab/Subjects/NYU-001/2019-10-01/001/alf/task_00/"
        "#2020-01-01#/_ibl_trials.table.pqt')\n"
        "result = [dict(path.parse_alf_path()), dict(path.parse_alf_name()), "
        "list(path.parse_alf_name(as_dict=False))]",
    ),
    _s(
        "alfpath_with_parts",
        ALF,
        "path = ALFPath('/data/cortexlab/Subjects/NYU-001/2019-10-01/001/alf/task_00/"
        "#2020-01-01#/_ibl_trials.table.pqt')\n"
        "result = [path.with_subject('new_subject'), path.with_sequence(5), "
        "path.with_revision('2025-03-03'), path.with_object('new_object'), "
        "path.with_lab('mainenlab'), path.with_attribute('intervals'), "
        "path.with_namespace('misc'), path.with_extension('npy')]",
    ),
    _s(
        "alfpath_lab",
        ALF,
        "path = ALFPath('/data/cortexlab/Subjects/NYU-001/2019-10-01/001/alf/"
        "_ibl_trials.table.pqt')\n"
        "without_lab = path.without_lab()\n"
        "result = [without_lab, without_lab.with_lab('mainenlab')]",
    ),
    _s(
        "alfpath_padded_sequence",
        ALF,
        "unpadded = ALFPath('NYU-001/2019-10-01/1')\n"
        "result = [unpadded.with_padded_sequence(), unpadded.sequence]",
    ),
    _s(
        "alfpath_uuid",
        ALF,
        "path = ALFPath('/data/cortexlab/Subjects/NYU-001/2019-10-01/001/alf/task_00/"
        "#2020-01-01#/_ibl_trials.table.pqt')\n"
        "uid_path = path.with_uuid('87f60a7c-581c-4fc6-b304-183ac423312c')\n"
        "result = [uid_path.name, uid_path.without_lab(), uid_path.without_revision(), "
        "uid_path.without_uuid()]",
    ),
    _s(
        "alfpath_relative",
        ALF,
        "path = ALFPath('/data/cortexlab/Subjects/NYU-001/2019-10-01/001/alf/task_00/"
        "#2020-01-01#/_ibl_trials.table.pqt')\n"
        "result = [path.session_path(), path.session_path_short(), path.relative_to_lab(), "
        "path.relative_to_session()]",
    ),
    _s(
        "alfpath_validation",
        ALF,
        "path = ALFPath('NYU-001/2019-10-01/001/alf/task_00/#2020-01-01#/_ibl_trials.table.pqt')\n"
        "result = [path.is_session_path(), path.session_path().is_session_path(), "
        "path.is_valid_alf(), path.is_dataset()]",
    ),
    _s(
        "alfpath_iter_datasets",
        ALF,
        "session = ALFPath(root / sessA)\n"
        "result = sorted(p.relative_to_session() for p in session.iter_datasets(recursive=True))",
    ),
    _s(
        "alfpath_from_load",
        ALF,
        "path = one.eid2path(eC)\n"
        "result = [type(path).__name__ == 'ALFPath' or isinstance(path, ALFPath), path.subject, "
        "path.sequence, path.lab]",
    ),
    _s(
        "describe_object",
        ALF,
        "result = describe('object')",
        verdict=Documented(
            "ALF: `describe`, `readableALF`",
            "theirs is None and result.splitlines()[3] == 'OBJECT' "
            "and result.splitlines()[1].rstrip() "
            "== ' ' * (result.index('_object.') + 1) + '^' * len('object')",
        ),
    ),
    # --- datasets and types -------------------------------------------------------------
    _s("is_valid", TYPES, "result = [is_valid('spikes.times.npy'), is_valid('spikes.npy')]"),
    _s(
        "to_alf",
        TYPES,
        "result = to_alf('spikes', 'times', 'npy', namespace='ibl', timescale='ephys clock', "
        "extra='raw')",
    ),
    _s(
        "filename_parts",
        TYPES,
        "result = dict(filename_parts('_ibl_spikes.times_ephysClock.raw.npy', as_dict=True, "
        "assert_valid=True))",
    ),
    _s("path_pattern", TYPES, "result = path_pattern()"),
    _s(
        "session_path_helpers",
        TYPES,
        "p = 'mainenlab/Subjects/ZM_3003/2024-09-17/001/alf/_ibl_trials.choice.' "
        "'8ae14960-eed3-46d6-b6cd-e67f08470f2e.npy'\n"
        "result = [get_session_path(p), remove_uuid_string(p), "
        "add_uuid_string('a/b.c.npy', '8ae14960-eed3-46d6-b6cd-e67f08470f2e'), "
        "list(session_path_parts(p)), list(full_path_parts(p))]",
    ),
]

REMOTE: list[Snippet] = [
    _s("remote_search_terms", SEARCH, "result = sorted(one.search_terms('remote'))", "remote"),
    _s(
        "remote_search_terms_insertions",
        SEARCH,
        "result = sorted(one.search_terms('remote', 'insertions'))",
        "remote",
    ),
    _s(
        "remote_search_lab",
        MODES_PAGE,
        "result = one.search(lab='hoferlab', query_type='remote')",
        "remote",
    ),
    _s("remote_search_laboratory", SEARCH, "result = one.search(laboratory='cortexlab')", "remote"),
    _s("remote_search_subject", SEARCH, "result = one.search(subject='KS051')", "remote"),
    _s(
        "remote_search_details",
        SEARCH,
        "eids, info = one.search(subject='ZM_3003', details=True)\n"
        "result = [eids, [(i['subject'], i['lab'], i['number']) for i in info]]",
        "remote",
    ),
    _s(
        "remote_search_date_range",
        SEARCH,
        "result = one.search(date_range=['2023-01-01', '2023-06-30'])",
        "remote",
    ),
    _s("remote_search_number", SEARCH, "result = one.search(number=2)", "remote"),
    _s(
        "remote_search_projects",
        SEARCH,
        "result = one.search(projects='ibl_neuropixel_brainwide_01')",
        "remote",
    ),
    _s(
        "remote_search_task_protocol",
        ADVANCED,
        "result = one.search(task_protocol='ephysChoiceWorld')",
        "remote",
    ),
    _s(  # the quickstart's name was never sent as `datasets` to the recorded server: a name
        # one-api did send (remote `dataset` is onesdk's `datasets`, one-api refuses it)
        "remote_search_dataset",
        QUICKSTART,
        "result = one.search(dataset='_ibl_trials.intervals_bpod.npy')",
        "remote",
        verdict=_DATASET_ALIAS,
    ),
    _s(
        "remote_search_datasets",
        FAQ,
        "result = one.search(datasets=['_ibl_trials.table.pqt', '_ibl_wheel.position.npy'])",
        "remote",
    ),
    _s(
        "remote_search_datasets_qc",
        FAQ,
        "result = one.search(datasets='_ibl_trials.table.pqt', dataset_qc_lte='FAIL')",
        "remote",
    ),
    _s(
        "remote_search_dataset_types",
        SEARCH,
        "result = one.search(dataset_types=['spikes.times', 'clusters.metrics'])",
        "remote",
    ),
    _s("remote_search_tag", SEARCH, "result = one.search(tag='2024_Q1_release')", "remote"),
    _s("remote_search_insertions", SEARCH, "result = one.search_insertions()", "remote"),
    _s(
        "remote_search_insertions_lab",
        SEARCH,
        "result = one.search_insertions(lab='cortexlab')",
        "remote",
    ),
    _s(
        "remote_search_insertions_details",
        SEARCH,
        "pids, info = one.search_insertions(subject='KS051', details=True)\n"
        "result = [pids, [(i['name'], i['session']) for i in info]]",
        "remote",
    ),
    _s(
        "remote_search_insertions_dataset",
        SEARCH,
        "result = one.search_insertions(dataset='spikes.times')",
        "remote",
    ),
    _s("remote_pid2eid", LOAD, "result = one.pid2eid(pidC)", "remote"),
    _s("remote_eid2pid", LOAD, "result = one.eid2pid(eC)", "remote"),
    _s("remote_eid2pid_none", LOAD, "result = one.eid2pid(eB)", "remote"),
    _s(
        "remote_rest_list_to_eid",
        ADVANCED,
        "sess_info = one.alyx.rest('sessions', 'list', subject='KS052')\n"
        "result = [sorted(s['id'] for s in sess_info), sorted(s['number'] for s in sess_info)]",
        "remote",
    ),
    _s(
        "remote_rest_read",
        QUERIES,
        "ses = one.alyx.rest('sessions', 'read', id=eA)\n"
        "result = [ses['extended_qc'], ses['subject'], ses['qc'], sorted(ses)]",
        "remote",
    ),
    _s(
        "remote_rest_datasets",
        QUERIES,
        "dsets = one.alyx.rest('datasets', 'list', session=eD,\n"
        "                      name='_ibl_trials.intervals_bpod.npy')\n"
        "result = [(d['name'], d['collection'], d['revision'], d['default_dataset'])\n"
        "          for d in dsets]",
        "remote",
    ),
    _s(
        "remote_rest_no_cache",
        MODES_PAGE,
        "result = len(one.alyx.rest('sessions', 'list', subject='KS052', no_cache=True))",
        "remote",
    ),
    _s(
        "remote_describe_dataset",
        TYPES,
        "info = one.describe_dataset('spikes.times')\n"
        "result = [info['name'], info['description'], info['filename_pattern']]",
        "remote",
    ),
    _s(
        "remote_describe_dataset_file",
        LIST,
        "info = one.describe_dataset('_ibl_trials.table.pqt')\nresult = info['name']",
        "remote",
    ),
    _s(
        "remote_dataset2type", TYPES, "result = one.dataset2type('_ibl_trials.table.pqt')", "remote"
    ),
    _s(
        "remote_type2datasets",
        TYPES,
        "result = sorted(one.type2datasets(eC, ['spikes.times', 'clusters.metrics']))",
        "remote",
    ),
    _s(
        "remote_list_aggregates",
        LIST,
        "aggs = one.list_aggregates('subjects', 'KS051')\nresult = sorted(aggs['rel_path'])",
        "remote",
    ),
    _s(
        "remote_list_aggregates_all",
        LIST,
        "result = sorted(one.list_aggregates('subjects')['rel_path'])",
        "remote",
    ),
    _s(
        "remote_get_details_full",
        IDS,
        "info = one.get_details(eA, full=True)\n"
        "result = [info['subject'], info['number'], sorted(info)]",
        "remote",
    ),
    _s("remote_list_datasets", LIST, "result = one.list_datasets(eC)", "remote"),
    _s(
        "remote_list_datasets_collection",
        LIST,
        "result = one.list_datasets(eC, collection='alf/probe00')",
        "remote",
    ),
    _s("remote_list_collections", LIST, "result = sorted(one.list_collections(eC))", "remote"),
    _s("remote_list_revisions", LIST, "result = sorted(one.list_revisions(eA))", "remote"),
    _s(
        "remote_load_dataset",
        LOAD,
        "result = one.load_dataset(eA, '_ibl_trials.choice.npy')",
        "remote",
    ),
    _s(
        "remote_load_object",
        QUICKSTART,
        "spikes = one.load_object(eC, 'spikes', collection='alf/probe01')\nresult = spikes",
        "remote",
    ),
    _s("remote_eid2path", IDS, "result = one.eid2path(eA)", "remote"),
    _s("remote_ref2eid", IDS, "result = one.ref2eid(refA)", "remote"),
    _s("remote_path2eid", IDS, "result = one.path2eid(root / sessA)", "remote"),
    _s(
        "remote_user",
        FAQ,
        "result = [one.alyx.user, one.alyx.base_url, one.offline]",
        "remote",
    ),
    _s(
        "remote_record_loaded",
        RECORD,
        "one.record_loaded = True\n"
        "one.load_dataset(eA, '_ibl_trials.choice.npy')\n"
        "fresh = one.load_dataset(eC, '_ibl_trials.intervals.npy', download_only=True)\n"
        "ids, _ = one.save_loaded_ids(clear_list=True)\n"
        "one.record_loaded = False\n"
        "result = [sorted(map(str, ids)), fresh]",
        "remote",
    ),
]

REMOTE += [
    _s(
        "remote_describe_revision",
        MODES_PAGE,
        "result = one.describe_revision('1999-01-01')",
        "remote",
    ),
    _s(
        "remote_search_insertions_name",
        SEARCH,
        "result = one.search_insertions(name='probe01')",
        "remote",
    ),
    _s(
        "remote_search_qc", FAQ, "result = sorted(set(one.search(dataset_qc_lte='PASS')))", "remote"
    ),
    _s("remote_eid2ref", IDS, "result = one.eid2ref(eA, as_dict=False)", "remote"),
    _s(
        "remote_eid2ref_list",
        IDS,
        "result = one.eid2ref([eA, eC], parse=False)",
        "remote",
    ),
    _s(
        "remote_path2url",
        IDS,
        "result = one.path2url(root / sessA / 'alf' / '_ibl_trials.choice.npy')",
        "remote",
    ),
    _s(
        "remote_list_aggregates_projects",
        LIST,
        "result = len(one.list_aggregates('projects'))",
        "remote",
    ),
    _s("remote_list_endpoints", ADVANCED, "result = sorted(one.alyx.list_endpoints())", "remote"),
    _s(
        "remote_rest_schemes",
        QUERIES,
        "result = sorted(one.alyx.rest_schemes['sessions'])",
        "remote",
    ),
    _s("remote_cache_mode", FAQ, "result = one.alyx.cache_mode", "remote"),
    _s(
        "remote_default_expiry",
        MODES_PAGE,
        "from datetime import timedelta\n"
        "one.alyx.default_expiry = timedelta(days=20)\n"
        "result = one.alyx.default_expiry.days",
        "remote",
    ),
]

_PIN = (("ONE_REVISION_LAST_BEFORE", "2023-12-01"),)
LOCAL += [
    _s(
        "revision_last_before_dataset",
        LOAD,
        "result = one.load_dataset(eA, '_ibl_trials.table.pqt')",
        env=_PIN,
    ),
    _s(
        "revision_last_before_download_only",
        LOAD,
        "result = one.load_dataset(eA, '_ibl_trials.table.pqt', download_only=True)",
        env=_PIN,
    ),
    _s(
        "revision_last_before_unrevisioned",
        LOAD,
        "result = one.load_dataset(eA, '_ibl_trials.choice.npy', download_only=True)",
        env=_PIN,
    ),
    _s(
        "revision_last_before_object",
        LOAD,
        "result = sorted(one.load_object(eB, 'wheel', download_only=True))",
        env=_PIN,
    ),
    _s(
        "revision_last_before_explicit_wins",
        LOAD,
        "result = one.load_dataset(eA, '_ibl_trials.table.pqt', revision='2024-06-01', "
        "download_only=True)",
        env=_PIN,
    ),
    _s(
        "revision_last_before_datasets",
        LOAD,
        "paths, _ = one.load_datasets(eA, ['_ibl_trials.table.pqt', '_ibl_trials.choice.npy'], "
        "download_only=True)\n"
        "result = paths",
        env=_PIN,
    ),
]

LOCAL += [
    _s(
        "factory_cache_dir_only",
        MODES_PAGE,
        "offline = ONE(cache_dir=root)\n"
        "result = [offline.offline, type(offline).__name__, len(offline.search(lab='cortexlab'))]",
    ),
    _s(
        "factory_local_mode",
        FAQ,
        "offline = ONE(cache_dir=root, mode='local')\n"
        "result = [offline.offline, str(offline).split(' (')[0], offline.search(number=3)]",
    ),
    _s(
        "factory_one_class",
        SHARE,
        "offline = One(cache_dir=root)\n"
        "result = [offline.offline, offline.search(subject='KS054')]",
    ),
    _s(
        "factory_cache_clear",
        FAQ,
        "ONE.cache_clear()\nresult = ONE(cache_dir=root, mode='local').search(lab='mainenlab')",
    ),
    _s(
        "load_cache_tables_dir",
        FAQ,
        "one.load_cache(root)\nresult = one.search(date_range=['2024-01-01', '2024-03-01'])",
    ),
    _s(
        "wildcards_off_regex",
        SEARCH,
        "one.wildcards = False\n"
        "try:\n"
        "    result = [one.list_datasets(eC, collection='alf/probe0[01]', filename='.*spikes.*'),\n"
        "              one.search(subject='KS05[12]')]\n"
        "finally:\n"
        "    one.wildcards = True",
    ),
    _s(
        "wildcards_on_list",
        SEARCH,
        "result = [one.wildcards, one.list_datasets(eC, collection='alf/probe0?')]",
    ),
    _s(
        "cache_dir_attribute",
        FAQ,
        "result = [str(one.cache_dir) == str(root), one.offline]",
    ),
]

TESTS = "one-api's own tests of the public API"
LOCAL += [
    _s(
        "load_dataset_from_id",
        TESTS,
        "result = one.load_dataset_from_id('8ae14960-eed3-46d6-b6cd-e67f08470f2e')",
    ),
    _s(
        "load_dataset_ambiguous_collection",
        TESTS,
        "result = one.load_dataset(eC, 'spikes.times.npy')",
    ),
    _s(
        "load_dataset_empty_revision",
        TESTS,
        "result = one.load_dataset(eA, '_ibl_trials.table.pqt', revision='', download_only=True)",
        verdict=Documented(
            "`load_*(..., revision='')`",
            "result.endswith('alf/_ibl_trials.table.pqt') and '#2024-01-01#' in theirs",
        ),
    ),
    _s(
        "load_object_missing",
        TESTS,
        "result = one.load_object(eB, 'spikes')",
    ),
    _s(
        "load_object_wildcard_attribute",
        TESTS,
        "result = one.load_object(eA, 'trials', attribute='goCue*', collection='alf')",
    ),
    _s(
        "load_object_unknown_session",
        TESTS,
        "result = one.load_object(unknown, 'trials')",
    ),
    _s(
        "get_details_list",
        TESTS,
        "result = one.get_details([eA, eC])",
        verdict=Documented(
            "`get_details([eid, eid])`",
            "theirs == {'error': 'ALFObjectNotFound'} and len(result) == 2 "
            "and result[0]['subject'] == 'ZM_3003'",
        ),
    ),
    _s("get_details_unknown", TESTS, "result = one.get_details(unknown)"),
    _s(
        "list_datasets_unknown",
        TESTS,
        "result = one.list_datasets(unknown)",
        verdict=Documented(
            "`list_datasets(eid)` for a session not in the cache",
            "result == [] and theirs['index'] == []",
        ),
    ),
    _s(
        "list_datasets_empty_revision",
        TESTS,
        "result = one.list_datasets(eA, revision='', collection='alf')",
    ),
    _s(
        "list_datasets_collection_list",
        TESTS,
        "result = one.list_datasets(eC, collection=['alf/probe00', 'raw_ephys_data/probe00'])",
    ),
    _s(
        "search_details_keys",
        TESTS,
        "eids, details = one.search(lab='hoferlab', number=1, details=True)\n"
        "result = [len(eids) == len(details), sorted(details[0].keys())]",
        verdict=Documented(
            "`search(details=True)` records",
            "result[0] is True and set(theirs[1]) <= set(result[1])",
        ),
    ),
    _s(
        "path2record_session",
        TESTS,
        "rec = one.path2record(root / sessC)\nresult = [rec['subject'], rec['number'], rec['lab']]",
    ),
    _s(
        "record2path",
        TESTS,
        "rec = one.path2record(root / sessA / 'alf' / '_ibl_trials.choice.npy')\n"
        "result = one.record2path(rec)",
    ),
]

REMOTE += [
    _s(
        "remote_list_datasets_revision",
        LIST,
        "result = one.list_datasets(eA, revision='2023-04-01')",
        "remote",
    ),
    _s(
        "remote_list_datasets_filename_dict",
        LIST,
        "result = one.list_datasets(eA, filename={'object': ['wheel', 'spikes'], "
        "'extension': 'npy'})",
        "remote",
    ),
    _s("remote_list_datasets_qc", LIST, "result = one.list_datasets(eA, qc='WARNING')", "remote"),
    _s(
        "remote_list_datasets_details",
        LIST,
        "frame = one.list_datasets(eA, details=True)\n"
        "result = sorted(zip(frame['rel_path'], frame['qc'].astype(str), frame['exists']))",
        "remote",
    ),
    _s(
        "remote_list_datasets_revision_before",
        LIST,
        "frame = one.list_datasets(eA, revision='2024-03-01', filename='_ibl_trials.table.pqt', "
        "details=True)\n"
        "result = list(frame['rel_path'])",
        "remote",
    ),
    _s(
        "remote_list_collections_details",
        LIST,
        "details = one.list_collections(eC, collection='alf/*', details=True)\n"
        "result = {k: sorted(v['rel_path']) for k, v in details.items()}",
        "remote",
    ),
    _s(
        "remote_load_dataset_revision",
        LOAD,
        "result = one.load_dataset(eA, '_ibl_trials.table.pqt', revision='2024-03-01')",
        "remote",
    ),
    _s(
        "remote_load_dataset_wildcard",
        LOAD,
        "result = one.load_dataset(eA, '*trials.intervals*', collection='alf')",
        "remote",
    ),
    _s(
        "remote_load_dataset_dict",
        LOAD,
        "result = one.load_dataset(eA, {'object': 'wheel', 'attribute': 'position'})",
        "remote",
    ),
    _s(
        "remote_load_dataset_download_only",
        LOAD,
        "result = one.load_dataset(eC, '_spikeglx_ephysData_g0_t0.imec0.ap.meta', "
        "collection='raw_ephys_data/probe00', download_only=True)",
        "remote",
    ),
    _s(
        "remote_load_datasets_missing",
        LOAD,
        "result = one.load_datasets(eA, ['_ibl_trials.choice.npy', 'foo.bar.npy'])",
        "remote",
    ),
    _s("remote_load_object_revisions", LOAD, "result = one.load_object(eB, 'wheel')", "remote"),
    _s(
        "remote_load_object_download_only",
        LOAD,
        "result = sorted(one.load_object(eC, 'clusters', collection='alf/probe00', "
        "download_only=True))",
        "remote",
    ),
    _s(
        "remote_load_aggregate",
        LIST,
        "result = one.load_aggregate('subjects', 'KS051', '_ibl_subjectTrials.table')",
        "remote",
    ),
    _s("remote_get_details_unknown", IDS, "result = one.get_details(unknown)", "remote"),
    _s(
        "remote_describe_dataset_unknown",
        TYPES,
        "result = one.describe_dataset('nonexistent.type')",
        "remote",
    ),
    _s("remote_dataset2type_unknown", TYPES, "result = one.dataset2type('foo.bar.npy')", "remote"),
    _s("remote_ref2eid_unknown", IDS, "result = one.ref2eid('2099-01-01_1_nobody')", "remote"),
    _s(
        "remote_pid2eid_other",
        LOAD,
        "result = one.pid2eid('7100afdd-d014-4a76-8124-69379d5e2e1e')",
        "remote",
    ),
    _s(
        "remote_record2url",
        IDS,
        "rec = one.path2record(root / sessA / 'alf' / '_ibl_trials.choice.npy')\n"
        "result = one.record2url(rec)",
        "remote",
    ),
]

REMOTE += [
    _s(
        "remote_cache_mode_off",
        MODES_PAGE,
        "mode = one.alyx.cache_mode\n"
        "one.alyx.cache_mode = None\n"
        "try:\n"
        "    result = [mode, one.search(lab='hoferlab')]\n"
        "finally:\n"
        "    one.alyx.cache_mode = mode",
        "remote",
    ),
    _s(
        "remote_rest_expires",
        MODES_PAGE,
        "from datetime import timedelta\n"
        "result = len(one.alyx.rest('sessions', 'list', subject='KS052', "
        "expires=timedelta(minutes=5)))",
        "remote",
    ),
    _s(
        "remote_eid2pid_details",
        LOAD,
        "pids, names, details = one.eid2pid(eC, details=True)\n"
        "result = [pids, names, [(d['name'], d['session']) for d in details]]",
        "remote",
    ),
    _s(
        "remote_search_insertions_to_session",
        SEARCH,
        "pids = one.search_insertions(subject='KS051')\n"
        "result = sorted(str(one.pid2eid(p)[0]) for p in pids if str(p) == pidC)",
        "remote",
    ),
    _s(
        "remote_list_datasets_details_frame",
        LIST,
        "frame = one.list_datasets(eC, details=True, keep_eid_index=True)\n"
        "result = [list(frame.index.names), len(frame)]",
        "remote",
    ),
    # last: the instance is logged out afterwards
    _s(
        "remote_logout",
        FAQ,
        "before = one.alyx.is_logged_in\n"
        "one.alyx.logout()\n"
        "result = [before, one.alyx.is_logged_in]",
        "remote",
    ),
]

_PATH_TABLE = (
    "path = ALFPath('/data/cortexlab/Subjects/NYU-001/2019-10-01/001/alf/task_00/"
    "#2020-01-01#/_ibl_trials.table.pqt')\n"
)
_PATH = (
    "path = ALFPath('/data/cortexlab/Subjects/NYU-001/2019-10-01/001/alf/task_00/"
    "#2020-01-01#/_ibl_trials.goCue_times_bpod.raw.npy')\n"
)
LOCAL += [
    _s(
        "alfpath_timescale_extra",
        TESTS,
        _PATH + "result = [path.object, path.attribute, path.timescale, path.extra, "
        "path.dataset_name_parts, path.parse_alf_name(as_dict=False)]",
    ),
    _s(
        "alfpath_with_more_parts",
        TESTS,
        _PATH + "result = [path.with_collection('alf/task_01'), path.with_timescale('ephys'), "
        "path.with_extra('cam1'), path.with_extra('cam1', append=True), "
        "path.with_date('2020-02-02')]",
    ),
    _s(
        "alfpath_session_only",
        TESTS,
        "path = ALFPath('cortexlab/Subjects/NYU-001/2019-10-01/001')\n"
        "result = [path.is_session_path(), path.session_path_short(include_lab=True), "
        "path.session_parts, path.alf_parts, path.relative_to_session(), path.collection, "
        "path.object, path.is_dataset()]",
    ),
    _s(
        "alfpath_not_alf",
        TESTS,
        "path = ALFPath('foo/bar/baz.txt')\n"
        "result = [path.is_valid_alf(), path.session_path(), path.session_parts, "
        "path.dataset_name_parts, path.is_session_path()]",
    ),
    _s(
        "alfpath_iter_and_parse_on_disk",
        TESTS,
        "session = ALFPath(root / sessC)\n"
        "found = sorted(session.iter_datasets(recursive=True))\n"
        "result = [len(found), [p.relative_to_session() for p in found][:5], "
        "found[0].parse_alf_path(), session.is_valid_alf(), found[0].is_dataset()]",
    ),
]

LOCAL += [
    _s(
        "list_datasets_all_details",
        LIST,
        "frame = one.list_datasets(details=True)\nresult = [len(frame), sorted(frame.columns)]",
    ),
    _s(
        "load_object_collection_wildcard",
        LOAD,
        "result = one.load_object(eA, 'wheel', collection='al*')",
    ),
    _s(
        "search_then_load_loop",
        QUICKSTART,
        "eids = one.search(subject='KS051', datasets='_ibl_trials.choice.npy')\n"
        "result = {str(e): one.load_dataset(e, '_ibl_trials.choice.npy').shape for e in eids}",
    ),
]

# the documentation pages' cells not covered above, one snippet per behaviour they show
LOCAL += [
    _s(
        "search_dataset_details",
        QUICKSTART,
        "eids, info = one.search(date_range=['2023-01-01', '2024-12-31'],\n"
        "                        dataset='spikes.times.npy', details=True)\n"
        "result = [eids, [d['subject'] for d in info]]",
        verdict=Documented(
            "`search(dataset=...)`",
            "theirs == {'error': 'ValueError'} and len(result[0]) == len(result[1]) > 0 "
            "and 'KS051' in result[1]",
        ),
    ),
    _s(
        "load_object_attribute_list",
        QUICKSTART,
        "spikes = one.load_object(eC, 'spikes', collection='alf/probe00', "
        "attribute=['times', 'clusters', 'amps'])\n"
        "mine = spikes.clusters == 1\n"
        "result = [sorted(spikes.keys()), spikes.times[mine], spikes.clusters[mine]]",
    ),
    _s(
        "list_collections_raw_revision",
        LIST,
        "result = sorted(one.list_collections(eC, collection='raw*', revision='2024-01-01'))",
    ),
    _s(
        "list_revisions_bracket",
        LIST,
        "result = sorted(one.list_revisions(eA, revision='202[34]'))",
    ),
    _s(
        "load_object_attribute_timescale",
        LOAD,
        "trials = one.load_object(eA, 'trials', attribute=['intervals', 'goCue_times'])\n"
        "result = sorted(trials.keys())",
    ),
    _s(
        "search_returns_uuid_strings",
        IDS,
        "from uuid import UUID\n"
        "eids = one.search(datasets='channels.localCoordinates.npy',\n"
        "                  date=['2023-01-01', '2023-12-31'])\n"
        "result = [eids, is_uuid_string(eids[0]), is_uuid(eids[0]), is_uuid(UUID(str(eids[0])))]",
    ),
    _s(
        "load_dataset_no_extension_no_namespace",
        RECORD,
        "result = one.load_dataset(eC, 'licks.times')",
    ),
    _s(
        "record_loaded_csv",
        RECORD,
        "import pandas as pd\n"
        "one.record_loaded = True\n"
        "one.load_object(eA, 'wheel')\n"
        "dataset_uuids, filename = one.save_loaded_ids(clear_list=False)\n"
        "datasets = pd.read_csv(filename)\n"
        "session_uuids, filename = one.save_loaded_ids(sessions_only=True)\n"
        "sessions = pd.read_csv(filename)\n"
        "one.record_loaded = False\n"
        "result = [list(datasets.columns), sorted(datasets.iloc[:, 0]), list(sessions.columns), "
        "list(sessions.iloc[:, 0])]",
    ),
    _s(
        "load_object_namespaced",
        SHARE,
        "result = sorted(one.load_object(eA, '_ibl_trials').keys())",
    ),
    _s(
        "load_dataset_namespaced_no_extension",
        SHARE,
        "cue = one.load_dataset(eA, '_ibl_trials.intervals')\n"
        "choice = one.load_dataset(eA, '_ibl_trials.choice')\n"
        "result = [cue, choice]",
    ),
    _s(
        "is_valid_session_files",
        SHARE,
        "import os\n"
        "session_path = root / sessA / 'alf'\n"
        "result = sorted((x, is_valid(x)) for x in os.listdir(session_path))",
    ),
    _s(
        "alfpath_without_chain",
        ALF,
        _PATH_TABLE + "uid_path = path.with_uuid('87f60a7c-581c-4fc6-b304-183ac423312c')\n"
        "result = [uid_path := uid_path.without_lab(), uid_path := uid_path.without_revision(), "
        "uid_path.without_uuid()]",
    ),
    _s(
        "alfpath_validation_relative_to_lab",
        ALF,
        _PATH_TABLE + "path = path.relative_to_lab()\n"
        "result = [path, path.is_session_path(), path.session_path(), "
        "path.session_path().is_session_path(), path.is_valid_alf(), path.parent, "
        "path.parent.is_dataset(), path.is_dataset()]",
    ),
    _s(
        "alfpath_print_and_parts",
        ALF,
        _PATH_TABLE + "result = [str(path), path.parts, f'{path.stem}', bool(path.extra)]",
    ),
    _s("mode_attribute", MODES_PAGE, "result = [one.mode, one.offline]"),
    _s("factory_version", FAQ, "result = isinstance(ONE.version, str)"),
]

# the loading guide's example script (docs_loading_data)
LOCAL += [
    _s(
        "load_object_attributes_to_df",
        LOAD,
        "trials = one.load_object(eA, 'trials',\n"
        "                         attribute=['choice', 'feedbackType', 'intervals'])\n"
        "result = [trials.choice[:5], trials['choice'][:5], trials.to_df(), "
        "trials.check_dimensions]",
    ),
    _s(
        "load_dataset_dict_extension_list",
        LOAD,
        "dataset = dict(object='spikes', attribute='times', extension=['npy', 'bin'])\n"
        "result = one.load_dataset(eC, dataset, collection='alf/probe00')",
    ),
    _s(
        "load_from_file_path",
        LOAD,
        "files = one.load_object(eC, 'trials', download_only=True)\n"
        "trials = one.load_object(files[0], 'trials')\n"
        "first = one.load_dataset(files[0], files[0].name)\n"
        "result = [sorted(trials.keys()), files[0].name, first]",
    ),
    _s(
        "load_object_attribute_wildcard_list",
        LOAD,
        "spikes = one.load_object(eC, 'spikes', collection='alf/probe01', "
        "attribute=['time*', 'clusters'])\n"
        "result = ['amps' not in spikes, sorted(spikes.keys())]",
    ),
    _s(
        "wildcards_off_loading",
        LOAD,
        "one.wildcards = False\n"
        "try:\n"
        "    spikes = one.load_object(eC, 'spikes', collection='alf/probe01', "
        "attribute='times|clusters')\n"
        "    spike_times = one.load_dataset(eC, '.*spikes.times.*', collection='alf/probe00')\n"
        "    dsets = one.list_datasets(eC, collection='alf/probe[0-9]*')\n"
        "    files = one.load_object(eC, 'clusters', collection='alf/probe01', "
        "extension='[^sv]*', download_only=True)\n"
        "finally:\n"
        "    one.wildcards = True\n"
        "result = [sorted(spikes.keys()), spike_times, dsets, sorted(files)]",
    ),
    _s(
        "load_dataset_namespace_missing",
        LOAD,
        "result = one.load_dataset(eC, 'wheel.position.npy')",
    ),
    _s(
        "load_dataset_wildcard_namespace",
        LOAD,
        "result = one.load_dataset(eC, '*wheel.position.npy')",
    ),
    _s("load_object_wrong_object", LOAD, "result = one.load_object(eC, 'trial')"),
    _s(
        "load_dataset_no_extension_collection",
        LOAD,
        "result = one.load_dataset(eC, 'spikes.times', collection='alf/probe00')",
    ),
]

ALF_INTRO = "ALF intro"
_NAMES = (
    "['trials.intervals', 'sparseNoise.xyPos', 'RFMapStim.intervals', 'ROIMotionEnergy.position', "
    "'trials.goCue_times', '_ibl_wheel.position', '_ss_gratingID.laserOn.npy', "
    "'spikes.times_ephysClock.npy', 'trials.intervals_bpod.ssv', 'spikes.times.npy', "
    "'spikes.times.csv', 'spikes.times.mat', "
    "'trials.intervals.9198edcd-e8a4-4e8a-994f-d68a2e300380.npy', '2p.raw.part01.tiff', "
    "'spikes.times', '_ibl_trials.goCue_times_bpodClock.csv', "
    "'_spikeglx_spikes.times_ephysClock.npy', 'spikes.times.cbin']"
)
_PATHS = (
    "['mouse_001/2021-05-27/001', 'lab_name/Subjects/mouse_001/2021-05-27/001', "
    "'lab_name/Subjects/mouse_001/2021-05-27/001/trials.intervals', "
    "'mouse_001/2021-05-27/001/probe00/spikes.times.npy', "
    "'mouse_001/2021-05-27/001/probe01/yass/spikes.times.npy', "
    "'mouse_001/2021-05-27/001/#2021-06-01#/spikes.times.npy', "
    "'mouse_001/2021-05-27/001/#2021-06-01b#/spikes.times.npy', "
    "'cortexlab/Subjects/mouse_001/2021-05-27/1', "
    "'cortexlab/Subjects/mouse_001/2021-05-27/1/alf/probe00/spikes.times.npy']"
)
LOCAL += [
    _s(
        "alf_intro_dataset_names",
        ALF_INTRO,
        "names = " + _NAMES + "\n"
        "result = [(n, is_valid(n), filename_parts(n, assert_valid=False)) for n in names]",
    ),
    _s(
        "alf_intro_paths",
        ALF_INTRO,
        "paths = " + _PATHS + "\n"
        "result = [(p, is_session_path(p), full_path_parts(p, assert_valid=False), "
        "session_path_parts(p, assert_valid=False), get_session_path(p)) for p in paths]",
    ),
    _s(
        "alf_intro_alfpath_parts",
        ALF_INTRO,
        "paths = " + _PATHS + "\n"
        "result = [(ALFPath(p).session_path(), ALFPath(p).collection, ALFPath(p).revision, "
        "ALFPath(p).is_valid_alf()) for p in paths]",
    ),
]

LOCAL += [
    _s(
        "tables_dir_attribute",
        FAQ,
        "result = [str(one._tables_dir) == str(root), str(one.cache_dir) == str(one._tables_dir)]",
    ),
]

ALF_FILES = "ALF files"
_ALYX_FILES = (
    "files = ['subject/2021-06-01/001/probes.description.json',\n"
    "         'subject/2021-06-01/001/alf/probe00/spikes.times.npy',\n"
    "         'subject/2021-06-01/001/alf/probe00/spikes.clusters.npy',\n"
    "         'subject/2021-06-01/001/alf/probe01/spikes.times.npy',\n"
    "         'subject/2021-06-01/001/alf/probe01/spikes.clusters.npy',\n"
    "         'subject/2021-06-01/001/alf/probe01/#2021-07-05#/spikes.times.npy',\n"
    "         'subject/2021-06-01/001/alf/probe01/#2021-07-05#/spikes.clusters.npy']\n"
    "for file in files:\n"
    "    file_path = tmp.joinpath('alyx_files', file)\n"
    "    file_path.parent.mkdir(parents=True, exist_ok=True)\n"
    "    file_path.touch()\n"
    "One.setup(tmp / 'alyx_files', hash_files=False, silent=True)\n"
    "files_one = ONE(cache_dir=str(tmp / 'alyx_files'))\n"
)
LOCAL += [
    _s(
        "alyx_files_listing",
        ALF_FILES,
        _ALYX_FILES + "session = 'subject/2021-06-01/001'\n"
        "result = [list(files_one.list_datasets(session)),\n"
        "          list(files_one.list_datasets(session, collection='alf/probe01')),\n"
        "          list(files_one.list_datasets(session, collection='')),\n"
        "          [x or None for x in sorted(files_one.list_revisions(session))],\n"
        "          [x or None for x in sorted(files_one.list_collections(session))],\n"
        "          path_pattern()]",
    ),
    _s(
        "alyx_files_loading",
        ALF_FILES,
        _ALYX_FILES + "session = 'subject/2021-06-01/001'\n"
        "result = [sorted(files_one.load_object(session, 'spikes', collection='alf/probe00',\n"
        "                                       download_only=True)),\n"
        "          sorted(files_one.load_object(session, 'spikes', collection='alf/probe01',\n"
        "                                       revision='2021-07-01', download_only=True)),\n"
        "          sorted(files_one.load_object(session, 'spikes', collection='alf/probe01',\n"
        "                                       download_only=True)),\n"
        "          files_one.load_dataset(session, 'spikes.times.npy', collection='alf/probe00',\n"
        "                                 download_only=True)]\n"
        "result = [[p.relative_to(tmp).as_posix() for p in r] if isinstance(r, list) else\n"
        "          r.relative_to(tmp).as_posix() for r in result]",
    ),
]

REMOTE_LATE = [
    _s("remote_mode_attribute", MODES_PAGE, "result = [one.mode, one.offline]", "remote"),
    _s(
        "remote_rest_no_cache_lab",
        MODES_PAGE,
        "ses = one.alyx.rest('sessions', 'list', lab='cortexlab', no_cache=True)\n"
        "result = sorted(s['id'] for s in ses)",
        "remote",
    ),
    _s(
        "remote_rest_subjects_nickname",
        ADVANCED,
        "subj_info = one.alyx.rest('subjects', 'list', lab='cortexlab')\n"
        "result = [subj['nickname'] for subj in subj_info]",
        "remote",
    ),
    _s(
        "remote_rest_schemes_description",
        QUERIES,
        "result = one.alyx.rest_schemes['sessions']['list']['description']",
        "remote",
    ),
    _s(
        "remote_print_endpoint_info",
        QUERIES,
        "result = one.alyx.print_endpoint_info('sessions', action='list')",
        "remote",
    ),
    _s(
        "remote_to_eid_urls",
        QUERIES,
        "ses = one.alyx.rest('sessions', 'list', subject='KS052')\n"
        "result = sorted(map(str, one.to_eid(x['url'] for x in ses[:5])))",
        "remote",
    ),
    _s(
        "remote_rest_json_field_lookup",
        QUERIES,
        "ses = one.alyx.rest('sessions', 'list', extended_qc='behavior,1')\n"
        "result = sorted(s['id'] for s in ses)",
        "remote",
    ),
    _s(
        "remote_rest_insertions_django",
        QUERIES,
        "ins = one.alyx.rest('insertions', 'list',\n"
        "                    django='datasets__name__icontains,spikes.times')\n"
        "result = sorted(i['id'] for i in ins)",
        "remote",
    ),
    _s(
        "remote_load_by_url",
        IDS,
        "filepath = one.load_dataset(eA, '_ibl_trials.choice.npy', download_only=True)\n"
        "url = one.path2url(filepath)\n"
        "result = [url, one.load_dataset(url, '_ibl_trials.choice.npy')]",
        "remote",
    ),
    _s(
        "remote_type2datasets_single",
        TYPES,
        "datasets = one.type2datasets(eA, 'trials.table')\n"
        "dset_list = '\", \"'.join(datasets)\n"
        "result = [sorted(datasets), sorted(dset_list.split('\", \"'))]",
        "remote",
    ),
]
REMOTE_LATE += [
    _s(
        "remote_pid_load_spikes",
        LOAD,
        "session, probe = one.pid2eid(pidC)\n"
        "spikes_times = one.load_dataset(session, 'spikes.times.npy', collection=f'alf/{probe}')\n"
        "result = [probe, spikes_times, "
        "sorted(x for x in one.list_collections(session) if 'alf/probe' in x)]",
        "remote",
    ),
]
# before the logout snippet, which must stay last
REMOTE[-1:-1] = REMOTE_LATE

TAG: list[Snippet] = [
    _s(
        "tag_load_cache",
        FAQ,
        "one.load_cache(tag='2024_Q1_release')\nresult = len(one.search(query_type='local'))",
        "tag",
    ),
    _s(
        "tag_search_local",
        FAQ,
        "result = one.search(lab='cortexlab', query_type='local')",
        "tag",
    ),
    _s(
        "tag_list_datasets_local",
        FAQ,
        "result = sorted(one.list_datasets(eD, query_type='local'))",
        "tag",
    ),
    _s(
        "tag_list_subjects",
        FAQ,
        "result = sorted(one.list_subjects())",
        "tag",
    ),
    _s(
        "tag_load_dataset",
        FAQ,
        "result = one.load_dataset(eD, '_ibl_trials.goCue_times_bpod.npy', query_type='local')",
        "tag",
    ),
    _s(
        "tag_cache_expiry_meta",
        MODES_PAGE,
        "from datetime import timedelta\n"
        "one.cache_expiry = timedelta(hours=1)\n"
        "meta = one._cache._meta\n"
        "result = [one.cache_expiry, sorted(meta), sorted(meta['raw'])]",
        "tag",
    ),
    _s(
        "tag_search_query_type_refresh",
        MODES_PAGE,
        "result = one.search(lab='cortexlab', query_type='refresh')",
        "tag",
    ),
    _s(  # last: the full tables replace the tag's
        "tag_refresh_cache",
        MODES_PAGE,
        "import datetime\n"
        "loaded_time = one.refresh_cache('refresh')\n"
        "result = [isinstance(loaded_time, datetime.datetime), len(one.search(lab='cortexlab'))]",
        "tag",
        verdict=Documented(
            "`refresh_cache(mode)`",
            "theirs == {'error': 'AttributeError'} and result == [True, 23]",
        ),
    ),
]

SNIPPETS: list[Snippet] = LOCAL + REMOTE + TAG
