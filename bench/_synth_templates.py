"""The dataset templates of the synthetic caches: which files a behaviour or an ephys session
holds, with their typical sizes, and the four session layouts built from them."""

from __future__ import annotations

from typing import Final

__all__ = ["REVISION", "variants"]

# Dataset templates: (collection, name, typical size in bytes). Order matters: a session with
# n datasets gets the first n of its pool, so the important datasets come first.
_TRIALS = [
    "_ibl_trials.table.pqt",
    "_ibl_trials.goCue_times.npy",
    "_ibl_trials.stimOn_times.npy",
    "_ibl_trials.intervals.npy",
    "_ibl_trials.intervals_bpod.npy",
    "_ibl_trials.choice.npy",
    "_ibl_trials.feedbackType.npy",
    "_ibl_trials.feedback_times.npy",
    "_ibl_trials.response_times.npy",
    "_ibl_trials.contrastLeft.npy",
    "_ibl_trials.contrastRight.npy",
    "_ibl_trials.probabilityLeft.npy",
    "_ibl_trials.rewardVolume.npy",
    "_ibl_trials.firstMovement_times.npy",
    "_ibl_trials.stimOff_times.npy",
]
_WHEEL = [
    "_ibl_wheel.position.npy",
    "_ibl_wheel.timestamps.npy",
    "_ibl_wheelMoves.intervals.npy",
    "_ibl_wheelMoves.peakAmplitude.npy",
]
_COMMON: list[tuple[str, str, int]] = [
    ("", "_ibl_experiment.description.yaml", 2_000),
    *(("alf", n, 8_000) for n in _TRIALS),
    ("alf", _WHEEL[0], 8_000_000),
    ("alf", _WHEEL[1], 8_000_000),
    ("alf", _WHEEL[2], 40_000),
    ("alf", _WHEEL[3], 20_000),
    ("raw_behavior_data", "_iblrig_taskData.raw.jsonable", 3_000_000),
    ("raw_behavior_data", "_iblrig_taskSettings.raw.json", 10_000),
    ("raw_behavior_data", "_iblrig_encoderEvents.raw.ssv", 200_000),
    ("raw_behavior_data", "_iblrig_encoderPositions.raw.ssv", 2_000_000),
    ("raw_behavior_data", "_iblrig_encoderTrialInfo.raw.ssv", 100_000),
    ("raw_behavior_data", "_iblrig_ambientSensorData.raw.jsonable", 300_000),
    ("alf", "licks.times.npy", 20_000),
    ("alf", "_ibl_leftCamera.times.npy", 2_000_000),
    ("alf", "_ibl_rightCamera.times.npy", 4_000_000),
    ("alf", "_ibl_bodyCamera.times.npy", 1_000_000),
    ("alf", "_ibl_leftCamera.dlc.pqt", 30_000_000),
    ("alf", "_ibl_rightCamera.dlc.pqt", 60_000_000),
    ("raw_video_data", "_iblrig_leftCamera.raw.mp4", 900_000_000),
    ("raw_video_data", "_iblrig_rightCamera.raw.mp4", 1_500_000_000),
    ("raw_video_data", "_iblrig_bodyCamera.raw.mp4", 300_000_000),
    ("alf", "_ibl_leftCamera.features.pqt", 5_000_000),
    ("alf", "_ibl_passivePeriods.intervalsTable.csv", 1_000),
    ("alf", "_ibl_passiveGabor.table.csv", 20_000),
    ("alf", "_ibl_passiveStims.table.csv", 5_000),
    ("alf", "_ibl_passiveRFM.times.npy", 50_000),
    ("raw_passive_data", "_iblrig_RFMapStim.raw.bin", 30_000_000),
]
_PROBE: list[tuple[str, int]] = [
    ("spikes.times.npy", 80_000_000),
    ("spikes.clusters.npy", 40_000_000),
    ("spikes.amps.npy", 80_000_000),
    ("spikes.depths.npy", 40_000_000),
    ("clusters.metrics.pqt", 500_000),
    ("clusters.channels.npy", 4_000),
    ("clusters.depths.npy", 4_000),
    ("clusters.uuids.csv", 40_000),
    ("channels.localCoordinates.npy", 6_000),
    ("channels.rawInd.npy", 3_000),
    ("channels.brainLocationIds_ccf_2017.npy", 3_000),
    ("channels.mlapdv.npy", 9_000),
    ("clusters.amps.npy", 4_000),
    ("clusters.peakToTrough.npy", 4_000),
    ("clusters.waveforms.npy", 20_000_000),
    ("clusters.waveformsChannels.npy", 300_000),
    ("templates.waveforms.npy", 20_000_000),
    ("templates.amps.npy", 4_000),
    ("channels.labels.npy", 3_000),
    ("spikes.samples.npy", 80_000_000),
]
_RAW_EPHYS: list[tuple[str, int]] = [
    ("_spikeglx_ephysData_g0_t0.imec{p}.ap.cbin", 40_000_000_000),
    ("_spikeglx_ephysData_g0_t0.imec{p}.ap.meta", 10_000),
    ("_spikeglx_ephysData_g0_t0.imec{p}.ap.ch", 100_000),
    ("_spikeglx_ephysData_g0_t0.imec{p}.lf.cbin", 3_000_000_000),
    ("_spikeglx_ephysData_g0_t0.imec{p}.lf.meta", 10_000),
    ("_spikeglx_ephysData_g0_t0.imec{p}.lf.ch", 10_000),
]
_TRAINING_EXTRA: list[tuple[str, str, int]] = [
    ("alf", f"_ibl_trials.{a}.npy", 8_000)
    for a in (
        "quiescencePeriod",
        "goCueTrigger_times",
        "itiDuration",
        "phase",
        "position",
        "stimFreeze_times",
    )
] + [
    ("raw_behavior_data", f"_iblrig_{c}Camera.timestamps.ssv", 500_000)
    for c in ("left", "right", "body")
]
_BEHAVIOUR_EXTRA: list[tuple[str, str, int]] = [
    *(
        ("alf", f"_ibl_{cam}Camera.{attr}", 5_000_000)
        for cam in ("left", "right", "body")
        for attr in ("ROIMotionEnergy.npy", "ROIMotionEnergyPosition.npy", "lightningPose.pqt")
    ),
    *(
        ("raw_video_data", f"_iblrig_{cam}Camera.{attr}.bin", 1_000_000)
        for cam in ("left", "right", "body")
        for attr in ("frameData", "GPIO")
    ),
    ("raw_behavior_data", "_iblmic_audioSpectrogram.frequencies.npy", 2_000),
    ("raw_behavior_data", "_iblmic_audioSpectrogram.power.npy", 50_000_000),
    ("raw_behavior_data", "_iblmic_audioSpectrogram.times_mic.npy", 1_000_000),
    ("raw_behavior_data", "_iblmic_audioOnsetGoCue.times_mic.npy", 8_000),
    ("raw_behavior_data", "_iblrig_micData.raw.flac", 200_000_000),
    *(
        ("alf", f"_ibl_trials.{a}.npy", 8_000)
        for a in (
            "laserStimulation",
            "laserProbability",
            "omissionIndex",
            "errorCue_times",
            "valveOpen_times",
            "repNum",
            "trialNum",
            "itiIn_times",
        )
    ),
    ("alf", "_ibl_sparseNoise.positions.npy", 10_000),
    ("alf", "_ibl_sparseNoise.times.npy", 10_000),
    *(
        (f"raw_task_data_{t:02d}", name, 1_000_000)
        for t in (0, 1)
        for name in (
            "_iblrig_taskData.raw.jsonable",
            "_iblrig_taskSettings.raw.json",
            "_iblrig_encoderEvents.raw.ssv",
            "_iblrig_encoderPositions.raw.ssv",
        )
    ),
    *(
        (f"alf/task_{t:02d}", name, 100_000)
        for t in (0, 1)
        for name in ("_ibl_trials.table.pqt", *_WHEEL)
    ),
]
_SYNC: list[tuple[str, int]] = [
    ("_spikeglx_sync.channels.{p}.npy", 100_000),
    ("_spikeglx_sync.polarities.{p}.npy", 100_000),
    ("_spikeglx_sync.times.{p}.npy", 200_000),
]
REVISION: Final = "2024-01-01"


def _ephys_pool() -> list[tuple[str, str, int]]:
    pool: list[tuple[str, str, int]] = list(_COMMON[:20])
    for probe in ("probe00", "probe01"):
        pool += [(f"alf/{probe}", n, s) for n, s in _PROBE[:4]]
    for probe in ("probe00", "probe01"):
        pool += [(f"alf/{probe}", n, s) for n, s in _PROBE[4:]]
    pool += _COMMON[20:]
    for i, probe in enumerate(("probe00", "probe01")):
        pool += [(f"raw_ephys_data/{probe}", n.format(p=i), s) for n, s in _RAW_EPHYS]
    for i, probe in enumerate(("probe00", "probe01")):
        pool += [(f"raw_ephys_data/{probe}", n.format(p=f"imec{i}"), s) for n, s in _SYNC]
    pool += [
        ("raw_ephys_data", f"_spikeglx_ephysData_g0_t0.nidq.{ext}", size)
        for ext, size in (("cbin", 500_000_000), ("meta", 10_000), ("ch", 10_000))
    ]
    return pool


def _behaviour_pool() -> list[tuple[str, str, int]]:
    return [
        *_COMMON,
        *_TRAINING_EXTRA,
        *(
            ("alf", f"_ibl_trials.{a}_bpod.npy", 8_000)
            for a in ("goCue_times", "stimOn_times", "feedback_times", "response_times")
        ),
        *_BEHAVIOUR_EXTRA,
    ]


def variants(n: int) -> list[list[tuple[str, bool, int]]]:
    """Four session layouts of exactly ``n`` datasets: (rel_path, default_revision, size).

    0/1: behaviour/ephys, no revisions. 2/3: the same, but the trials table and the wheel
    position exist unrevisioned (not default) and in ``#REVISION#`` (default), taking the
    place of the last two datasets of the pool.
    """
    out: list[list[tuple[str, bool, int]]] = []
    for revised in (False, True):
        for pool in (_behaviour_pool(), _ephys_pool()):
            if len(pool) < n:
                raise ValueError(f"n_datasets: at most {len(pool)} supported, got {n}")
            rows = [(f"{c}/{name}" if c else name, True, s) for c, name, s in pool[:n]]
            if revised:
                rows = rows[: n - 2]
                for i, (rel, _, size) in enumerate(rows):
                    if rel in ("alf/_ibl_trials.table.pqt", "alf/_ibl_wheel.position.npy"):
                        rows[i] = (rel, False, size)
                        coll, name = rel.rsplit("/", 1)
                        rows.append((f"{coll}/#{REVISION}#/{name}", True, size))
            out.append(rows)
    return out
