#!/usr/bin/env python3
"""Writes signals/demo_walk_run.csv + signals/demo_walk_run_hr.csv: a synthetic 3-minute wrist recording.

A stand-in until pulse's own simulator arrives: PPG at 64 Hz with a two-wave beat (systolic + diastolic),
a heart rate that rises from rest through walking to running and recovers, breathing modulation, beat-to-beat
jitter, motion artefacts that follow the arm swing, baseline drift and noise; a 3-axis accelerometer at 32 Hz
(cadence and its harmonics). The reference is the mean instantaneous heart rate over each 8 s window (2 s shift).
Convert with: pulse import csv signals/demo_walk_run.csv --fs-ppg 64 --fs-acc 32 \
                --reference signals/demo_walk_run_hr.csv --out signals --force
Needs only numpy. Deterministic (seed 2015).
"""
import numpy as np

rng = np.random.default_rng(2015)
FS_PPG, FS_ACC, SECONDS = 64.0, 32.0, 180.0
t = np.arange(int(SECONDS * FS_PPG)) / FS_PPG

# Activity: rest 0-30 s, walk 30-90 s (cadence 1.8 Hz), run 90-150 s (2.6 Hz), rest 150-180 s.
def activity_level(time):
    return np.interp(time, [0, 30, 40, 90, 100, 150, 160, 180], [0, 0, 0.5, 0.5, 1, 1, 0, 0])
def cadence_hz(time):
    return np.interp(time, [0, 30, 40, 90, 100, 150, 160, 180], [0, 0, 1.8, 1.8, 2.6, 2.6, 0, 0])

# Heart rate follows the activity with a first-order lag of 15 s.
target = 68 + 70 * activity_level(t)
hr = np.empty_like(t); hr[0] = target[0]
for i in range(1, len(t)):
    hr[i] = hr[i - 1] + (target[i] - hr[i - 1]) / (15 * FS_PPG)
hr = hr + 2.0 * np.sin(2 * np.pi * 0.25 * t)                      # respiratory sinus arrhythmia (15 breaths/min)
phase = 2 * np.pi * np.cumsum(hr / 60.0) / FS_PPG
phase += np.cumsum(rng.normal(0, 0.002, len(t)))                  # beat-to-beat jitter
cycle = np.mod(phase, 2 * np.pi) / (2 * np.pi)
beat = np.exp(-((cycle - 0.2) / 0.08) ** 2) + 0.45 * np.exp(-((cycle - 0.5) / 0.1) ** 2)
breathing = 1 + 0.1 * np.sin(2 * np.pi * 0.25 * t)

swing_phase = 2 * np.pi * np.cumsum(cadence_hz(t)) / FS_PPG
swing = activity_level(t) * (np.sin(swing_phase) + 0.4 * np.sin(2 * swing_phase + 0.7))
drift = 30 * np.sin(2 * np.pi * 0.02 * t)
ppg = 2000 + 100 * beat * breathing + 60 * swing + drift + rng.normal(0, 4, len(t))

ta = np.arange(int(SECONDS * FS_ACC)) / FS_ACC
level_a = activity_level(ta)
swing_a = 2 * np.pi * np.cumsum(cadence_hz(ta)) / FS_ACC
acc = np.stack([
    level_a * (0.8 * np.sin(swing_a) + 0.3 * np.sin(2 * swing_a + 0.7)),
    level_a * 0.5 * np.sin(swing_a + 1.2) + 0.1,
    0.98 + level_a * 0.4 * np.sin(2 * swing_a),
]) + rng.normal(0, 0.01, (3, len(ta)))

rows = ["time_s,ppg,acc_x,acc_y,acc_z"]
for i, time in enumerate(t):
    a = ",".join(f"{v:.4f}" for v in acc[:, i // 2]) if i % 2 == 0 else ",,"
    rows.append(f"{time:.4f},{ppg[i]:.3f},{a}")
open("signals/demo_walk_run.csv", "w").write("\n".join(rows) + "\n")

windows = int((SECONDS - 8) // 2) + 1
labels = [hr[int(k * 2 * FS_PPG):int((k * 2 + 8) * FS_PPG)].mean() for k in range(windows)]
open("signals/demo_walk_run_hr.csv", "w").write("hr_bpm\n" + "\n".join(f"{v:.2f}" for v in labels) + "\n")
