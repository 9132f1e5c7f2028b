#!/usr/bin/env python3
"""Writes the committed fuzz seeds: small synthetic CSV exports, stdin streams and MATLAB 5 files.

Every value is made up here (sine waves and noise from a fixed seed); no real recording goes into a seed.
Run from anywhere: python3 fuzz/seeds/make_seeds.py (overwrites fuzz/seeds/{csv,stdin,mat}).
"""
import math
import os
import random
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(2015)


def wave(n, rate, hz, amplitude=1.0, offset=0.0, noise=0.05):
    return [offset + amplitude * math.sin(2 * math.pi * hz * i / rate) + rng.gauss(0, noise) for i in range(n)]


def write(folder, name, data):
    os.makedirs(os.path.join(HERE, folder), exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(os.path.join(HERE, folder, name), mode, newline="" if mode == "w" else None) as f:
        f.write(data)


# --- CSV exports (fuzz-csv): first line '#!...' sets the importer's options, '#!reference' starts the reference.
def csv_rows(rate, seconds, ppg=2, acc_every=1, nan_at=None, header=None, sep=","):
    n = int(rate * seconds)
    ppgs = [wave(n, rate, 1.3, 100, 2000) for _ in range(ppg)]
    accs = [wave(n, rate, 2.2, 0.3, 0.0 if a else 1.0, 0.01) for a in range(3)]
    names = header or (["time"] + [f"ppg{c + 1}" for c in range(ppg)] + ["acc_x", "acc_y", "acc_z"])
    lines = [sep.join(names)]
    for i in range(n):
        cells = [f"{i / rate:.3f}"] + [f"{p[i]:.1f}" for p in ppgs]
        if i % acc_every == 0:
            cells += [f"{a[i]:.4f}" for a in accs]
        else:
            cells += ["", "", ""]
        if nan_at is not None and i == nan_at:
            cells[1] = "nan"
        lines.append(sep.join(cells))
    return lines


write("csv", "basic.csv", "\n".join(csv_rows(25, 10)) + "\n")
write("csv", "options-rates.csv", "#!fs_ppg=25 fs_acc=12.5\n" + "\n".join(csv_rows(25, 9, acc_every=2)) + "\n")
write("csv", "named-columns.csv", "#!fs_ppg=10 ppg=green acc=x,y,z\n"
      + "\r\n".join(csv_rows(10, 12, ppg=1, header=["t", "green", "x", "y", "z"])) + "\r\n")
write("csv", "semicolon-nan.csv", "#!fs_ppg=16\n" + "\n".join(csv_rows(16, 10, nan_at=5, sep=";",
      header=["ts", "bvp", "accel_x_g", "accel_y_g", "accel_z_g"], ppg=1)) + "\n")
write("csv", "tab-quoted.csv", "#!fs_ppg=12\n" + "\n".join(csv_rows(12, 9, ppg=1, sep="\t",
      header=['"time"', '"pleth"', '"ax"', '"ay"', '"az"'])) + "\n")
write("csv", "with-reference.csv", "#!fs_ppg=20\n" + "\n".join(csv_rows(20, 14)) + "\n#!reference\nbpm\n78\n79.5\n80\n81\n")
write("csv", "short.csv", "time,ppg,acc_x,acc_y,acc_z\n0,1,0,0,1\n0.04,2,0,0,1\n")

# --- stdin streams (fuzz-stdin): 'timestamp,ppg...,ax,ay,az' lines; '#!rate=HZ ppg=N strict hold' options.
def stream_lines(rate, seconds, ppg=2, start=0.0, drop=(), jitter=0.0, gap_after=None, gap_seconds=0.0, header=True):
    n = int(rate * seconds)
    ppgs = [wave(n, rate, 1.4, 50, 500) for _ in range(ppg)]
    accs = [wave(n, rate, 2.0, 0.2, 0, 0.01) for _ in range(3)]
    lines = ["t," + ",".join(f"ppg{c}" for c in range(ppg)) + ",ax,ay,az"] if header else []
    shift = 0.0
    for i in range(n):
        if i in drop:
            continue
        if gap_after is not None and i == gap_after:
            shift += gap_seconds
        t = start + i / rate + shift + (rng.uniform(-jitter, jitter) if jitter else 0)
        lines.append(f"{t:.4f}," + ",".join(f"{p[i]:.2f}" for p in ppgs) + "," + ",".join(f"{a[i]:.3f}" for a in accs))
    return lines


write("stdin", "plain.txt", "\n".join(stream_lines(25, 12)) + "\n")
write("stdin", "rate-given.txt", "#!rate=25 ppg=1\n" + "\n".join(stream_lines(25, 11, ppg=1, header=False)) + "\n")
write("stdin", "strict-hold.txt", "#!strict hold\n" + "\n".join(stream_lines(20, 12, drop={5, 6, 7})) + "\n")
write("stdin", "gap-jitter.txt", "\n".join(stream_lines(25, 14, jitter=0.004, gap_after=150, gap_seconds=3.0)) + "\r\n")
lines = stream_lines(25, 11)
lines[40] = lines[40].replace(",", ",,", 1)
lines[60] = "garbage"
lines[80] = lines[80].split(",")[0] + ",,,,,"
write("stdin", "malformed.txt", "\n".join(lines))
write("stdin", "tiny.txt", "0,1,0,0,1\n0.04,2,0,0,1\n0.08,3,0,0,1\n")

# --- MATLAB 5 files (fuzz-mat): the SPC 2015 layout, 'sig' (6 x N at 125 Hz) and 'BPM0', in one file.
MI = {"int8": 1, "uint8": 2, "int16": 3, "uint16": 4, "int32": 5, "uint32": 6, "single": 7, "double": 9,
      "int64": 12, "uint64": 13, "matrix": 14, "compressed": 15}
PACK = {"int8": "b", "uint8": "B", "int16": "h", "uint16": "H", "int32": "i", "uint32": "I", "single": "f",
        "double": "d", "int64": "q", "uint64": "Q"}
CLASS = {"double": 6, "single": 7, "int8": 8, "uint8": 9, "int16": 10, "uint16": 11, "int32": 12, "uint32": 13,
         "int64": 14, "uint64": 15}


def element(kind, payload, small_ok=True):
    if small_ok and len(payload) <= 4 and kind != MI["matrix"]:
        return struct.pack("<HH", kind, len(payload)) + payload.ljust(4, b"\0")
    return struct.pack("<II", kind, len(payload)) + payload + b"\0" * ((8 - len(payload) % 8) % 8)


def matrix(name, rows, cols, values, stored="double", array_class="double", flags=0):
    array_flags = element(MI["uint32"], struct.pack("<II", CLASS.get(array_class, 6) | flags, 0), small_ok=False)
    dims = element(MI["int32"], struct.pack("<ii", rows, cols), small_ok=False)
    name_element = element(MI["int8"], name.encode())
    if stored not in ("single", "double"):
        values = [int(v) for v in values]
    data = element(MI[stored], struct.pack("<%d%s" % (len(values), PACK[stored]), *values))
    return element(MI["matrix"], array_flags + dims + name_element + data)


def header(text="MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: synthetic fuzz seed"):
    return text.encode().ljust(116, b" ") + b"\0" * 8 + struct.pack("<H", 0x0100) + b"IM"


def sig(n, scale=1.0, integer=False):
    rate = 125
    rows = [wave(n, rate, 1.2, 50, 0), wave(n, rate, 1.2, 40, 10), wave(n, rate, 1.2, 40, 12),
            wave(n, rate, 2.0, 0.2, 0, 0.01), wave(n, rate, 2.0, 0.2, 0, 0.01), wave(n, rate, 2.0, 0.2, 1, 0.01)]
    column_major = [rows[r][i] * scale for i in range(n) for r in range(6)]
    return [int(round(v)) for v in column_major] if integer else column_major


bpm = [72.0, 74.5]
write("mat", "spc-single.mat", header() + matrix("sig", 6, 1250, sig(1250), stored="single") + matrix("BPM0", 2, 1, bpm))
write("mat", "spc-int16.mat", header() + matrix("sig", 6, 1250, sig(1250, 100, True), stored="int16")
      + matrix("BPM0", 1, 2, [72, 74], stored="uint8"))
compressed = zlib.compress(matrix("sig", 6, 1250, sig(1250, 10, True), stored="int16", array_class="double"))
write("mat", "spc-compressed.mat", header() + struct.pack("<II", MI["compressed"], len(compressed)) + compressed
      + matrix("BPM0", 2, 1, bpm, stored="single"))
write("mat", "bpm-only.mat", header() + matrix("BPM0", 2, 1, bpm))
write("mat", "skipped-kinds.mat", header()
      + matrix("text", 1, 3, [104, 105, 33], stored="uint16", array_class="char")
      + element(MI["matrix"], element(MI["uint32"], struct.pack("<II", 1, 0), False) + element(MI["int32"], struct.pack("<ii", 1, 1), False)
                + element(MI["int8"], b"cellvar") + b"")
      + matrix("z", 1, 2, [1.0, 2.0, 3.0, 4.0], array_class="double", flags=0x0800)
      + matrix("sig", 6, 2, [float(i) for i in range(12)], stored="int64")
      + matrix("BPM0", 1, 1, [70], stored="uint64"))
write("mat", "small-elements.mat", header() + matrix("BPM0", 2, 1, [1, 2], stored="int8")
      + matrix("sig", 6, 1, [1, 2, 3, 4, 5, 6], stored="uint32"))

# --- Recording descriptions (fuzz-hdf5's builder mode; see fuzz/Sources/fuzz-hdf5/Harness.swift): bytes that
# say which datasets and attributes the harness writes. Values are generated by the harness (sine waves).
def dataset(present, rank_index, extents, kind=2, special=0, step=5, pick=None):
    """present: mode byte; rank_index: into [2,2,2,1,1,0,3,2]; extents: list of (choice byte, uint16 or None)."""
    out = bytes([present, rank_index])
    for choice, value in extents:
        out += bytes([choice]) + (struct.pack("<H", value) if value is not None else b"")
    out += bytes([kind, special]) + (bytes([step]) if kind >= 2 else bytes([pick or 0]))
    return out


def number(index):  # an attribute from FuzzSupport.interestingDoubles (25 is index 11, 8 is 7, 2 is 5, 125 is 16)
    return bytes([1, index])


def description(seconds_samples_ppg=300, samples_acc=300, rate_ppg=11, rate_acc=11, ecg=False, labels=3, window=7, shift=5):
    out = dataset(1, 0, [(0, None), (1, seconds_samples_ppg)])
    out += dataset(1, 0, [(0, None), (1, samples_acc)])
    out += dataset(0, 3, [(1, seconds_samples_ppg)]) if ecg else bytes([1])
    out += dataset(0, 3, [(1, labels)], kind=0, pick=6) if labels else bytes([1])
    out += number(rate_ppg) + number(rate_acc) + (number(rate_ppg) if ecg else bytes([0]))
    out += number(window) + number(shift) + bytes([5, 4]) + b"S01a" + bytes([0, 0])
    return out


write("hdf5", "describe-basic.bin", description())
write("hdf5", "describe-ecg.bin", description(ecg=True, labels=0))
write("hdf5", "describe-rates.bin", description(seconds_samples_ppg=1250, samples_acc=260, rate_ppg=16, rate_acc=12 - 1, labels=2))
write("hdf5", "describe-gaps.bin", description()[:9] + bytes([3]) + description()[10:])
