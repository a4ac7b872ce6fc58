#!/usr/bin/env python3
"""Prints the figures of an openim-bench JSON file as a Markdown table (for the README).

    scripts/bench-table.py target/bench.json
"""
import json
import sys

data = json.load(open(sys.argv[1] if len(sys.argv) > 1 else "target/bench.json"))


def fmt(v):
    if v is None:
        return ""
    return f"{v:.0f}" if v >= 100 else f"{v:.2f}" if v >= 1 else f"{v:.3f}"


print("| phase | figure | value | floor (same run) | ratio |")
print("|---|---|---|---|---|")
for f in data["figures"]:
    floor = f"{fmt(f['floor'])} {f['unit']} — {f['floor_name']}" if f["floor"] is not None else ""
    ratio = f"{f['value'] / f['floor']:.1f}×" if f["floor"] else ""
    print(f"| {f['phase']} | {f['name']} | {fmt(f['value'])} {f['unit']} | {floor} | {ratio} |")
print(f"\n{len(data['figures'])} figures in {data['seconds']:.0f} s on {data['cores']} cores.")
