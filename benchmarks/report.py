"""The machine a run happened on, the spec's targets, and the table of results."""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

TARGET_SIZE = 100_000


@dataclass(frozen=True)
class Measurement:
    """One row of the table: a result key, how to show a value, and the spec's limit."""

    key: str
    title: str
    unit: str
    limit: float
    show: Callable[[float], str]


def _seconds(value: float) -> str:
    return f"{value:.3f} s" if value >= 1 else f"{value * 1000:.1f} ms"


def _megabytes(value: float) -> str:
    return f"{value / 1e6:.1f} MB"


def _bytes(value: float) -> str:
    return f"{value:.0f} B"


MEASUREMENTS = (
    Measurement("start", "ecsimg start to first screen with rows", "s", 1.0, _seconds),
    Measurement("whole_list", "start to the whole list loaded (sortable, exact counts)", "s",
                1.5, _seconds),
    Measurement("whole_list_cold", "the same, first start (no kept projections)", "s", 1.5,
                _seconds),
    Measurement("filter", "filter keystroke to updated list (median)", "s", 0.030, _seconds),
    Measurement("filter_max", "filter keystroke to updated list (slowest)", "s", 0.050,
                _seconds),
    Measurement("share", "share/unshare committed to disk, in process (median)", "s", 0.030,
                _seconds),
    Measurement("share_process", "ecsimg api ModifyImageSharePermission, over --version", "s",
                0.25, _seconds),
    Measurement("api", "ecsimg api DescribeImages --PageSize 100, whole process", "s", 0.3,
                _seconds),
    Measurement("floor", "floor: json.load of as many DescribeImages records", "s",
                float("inf"), _seconds),
    Measurement("memory", "resident memory of the TUI (peak, VmHWM)", "bytes", 200e6,
                _megabytes),
    Measurement("move_bytes", "bytes to the terminal per cursor move", "bytes", 2048, _bytes),
    Measurement("load_memory", "ecsimg load of a 200 MB DescribeImages file, peak memory",
                "bytes", 500e6, _megabytes),
)
"""The spec's targets at 100,000 images (wave 2); memory 200 MB (decimal), output 2 KB = 2048
bytes. The floor has no target: it is what the other figures are compared with."""


def machine() -> dict[str, Any]:
    """CPU model, cores, RAM, Python and OS of this machine."""
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo
                        if line.startswith("model name")), cpu)
    except OSError:
        pass
    ram_bytes = 0
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    ram_bytes = int(line.split()[1]) * 1024
    except OSError:
        pass
    os_name = platform.platform()
    try:
        with open("/etc/os-release", encoding="utf-8") as release:
            for line in release:
                if line.startswith("PRETTY_NAME="):
                    os_name = f"{line.split('=', 1)[1].strip().strip(chr(34))} ({os_name})"
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_bytes": ram_bytes,
        "python": sys.version.split()[0],
        "os": os_name,
        "load_average": list(os.getloadavg()),
    }


def verdict(results: dict[int, dict[str, Any]], measurement: Measurement) -> str:
    """pass/fail against the target at 100,000 images, or why there is none."""
    found = results.get(TARGET_SIZE, {}).get(measurement.key)
    if found is None:
        return "n/a (100k not run)" if TARGET_SIZE not in results else "n/a (failed)"
    value = found.get("value")
    if value is None:
        return "n/a (failed)"
    return "pass" if value < measurement.limit else "FAIL"


def _cell(found: dict[str, Any] | None, measurement: Measurement) -> str:
    if found is None:
        return "-"
    if found.get("value") is None:
        return "error"
    return measurement.show(found["value"])


def table(sizes: list[int], results: dict[int, dict[str, Any]], host: dict[str, Any]) -> str:
    """The results as a plain-text table with the machine underneath."""
    header = ["measurement", *[_size_label(n) for n in sizes], "target", "at 100k"]
    rows = [header]
    for measurement in MEASUREMENTS:
        rows.append([
            measurement.title,
            *[_cell(results.get(n, {}).get(measurement.key), measurement) for n in sizes],
            (f"< {measurement.show(measurement.limit)}"
             if measurement.limit != float("inf") else "-"),
            verdict(results, measurement) if measurement.limit != float("inf") else "-",
        ])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for index, row in enumerate(rows):
        numbers = zip(row[1:], widths[1:], strict=True)
        cells = [row[0].ljust(widths[0]), *[cell.rjust(width) for cell, width in numbers]]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append("")
    lines.append(f"machine: {host['cpu']}, {host['cores']} cores, "
                 f"{host['ram_bytes'] / 1024 ** 3:.1f} GiB RAM, Python {host['python']}, "
                 f"{host['os']}; load average {host['load_average'][0]:.2f} at the start")
    return "\n".join(lines)


def notes(sizes: list[int], results: dict[int, dict[str, Any]]) -> list[str]:
    """Errors and the detail behind each number (spread, counts), one line each."""
    found: list[str] = []
    for n in sizes:
        for measurement in MEASUREMENTS:
            entry = results.get(n, {}).get(measurement.key)
            if entry is None:
                continue
            if entry.get("error"):
                found.append(f"{_size_label(n)} {measurement.key}: ERROR {entry['error']}")
            elif entry.get("detail"):
                found.append(f"{_size_label(n)} {measurement.key}: {entry['detail']}")
    return found


def _size_label(images: int) -> str:
    return f"{images // 1000}k" if images % 1000 == 0 and images >= 1000 else str(images)
