"""L4: parse a 100,000-row recipient CSV in under 3 s with peak memory under 250 MB.

Run from the repository root: `python bench/recipients_bench.py [--rows N]`. Each measurement
runs in a fresh child process so that generating the file does not distort its memory figures.
Exits with status 1 when L4 is not met.
"""

import argparse
import gc
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIME_LIMIT_S = 3.0
MEMORY_LIMIT_MB = 250.0
NAMES = ["Анна", "Пётр", "Мария", "Иван", "Ольга", "Сергей", "Elena", "John", "Дмитрий"]
FORMATS = [
    "+7 ({a}) {b}-{c}-{d}",
    "8 {a} {b} {c} {d}",
    "8{a}{b}{c}{d}",
    "{a}{b}{c}{d}",
    "7{a}{b}{c}{d}",
    "+7-{a}-{b}-{c}-{d}",
    "8({a}){b}{c}{d}",
]


def generate_csv(rows: int, seed: int = 4) -> bytes:
    """A `Телефон;Имя` CSV: mixed Russian formats, ~2% repeats, ~1% junk, ~1% other numbers."""
    rng = random.Random(seed)
    lines = ["Телефон;Имя"]
    issued: list[str] = []
    for index in range(rows):
        name = f"{rng.choice(NAMES)} {index}"
        roll = rng.random()
        if roll < 0.01:
            phone = rng.choice(["n/a", "позвонить", "12345", "+7 900 12", "8 900 ABC 45 67"])
        elif roll < 0.02:
            phone = rng.choice(["+375 29 {:03} {:02} {:02}", "8 495 {:03}-{:02}-{:02}"]).format(
                rng.randrange(1000), rng.randrange(100), rng.randrange(100)
            )
        elif roll < 0.04 and issued:
            phone = rng.choice(issued)
        else:
            parts = {
                "a": str(rng.choice([*range(900, 930), *range(950, 1000)])),
                "b": f"{rng.randrange(1000):03}",
                "c": f"{rng.randrange(100):02}",
                "d": f"{rng.randrange(100):02}",
            }
            phone = rng.choice(FORMATS).format(**parts)
            issued.append(phone)
        lines.append(f"{phone};{name}")
    return ("\n".join(lines) + "\n").encode()


def measure(path: Path, traced: bool) -> dict[str, float]:
    """Parse the file once in this process and return time, counts and memory figures."""
    sys.path.insert(0, str(ROOT))
    from bot.compose.addresses import AddressKind
    from bot.compose.recipient_tables import parse_recipients_file

    content = path.read_bytes()
    gc.collect()
    if traced:
        tracemalloc.start()
    rss_before_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = parse_recipients_file(path.name, content, AddressKind.PHONE)
    elapsed = time.perf_counter() - started
    rss_after_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    figures = {
        "seconds": elapsed,
        "valid": len(result.valid),
        "invalid": len(result.invalid),
        "duplicates": result.duplicates,
        "rss_delta_mb": (rss_after_kib - rss_before_kib) / 1024,
        "rss_peak_mb": rss_after_kib / 1024,
    }
    if traced:
        figures["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
    return figures


def run_child(path: Path, traced: bool) -> dict[str, float]:
    command = [sys.executable, __file__, "--measure", str(path)]
    if traced:
        command.append("--traced")
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.traced)))
        return 0

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "recipients.csv"
        path.write_bytes(generate_csv(args.rows))
        size_mb = path.stat().st_size / 1024 / 1024
        plain = run_child(path, traced=False)
        traced = run_child(path, traced=True)

    print(f"rows: {args.rows:,} ({size_mb:.1f} MB CSV, mixed formats, name column)")
    print(
        f"result: {plain['valid']:,} valid, {plain['invalid']:,} invalid, "
        f"{plain['duplicates']:,} duplicates"
    )
    print(f"wall time: {plain['seconds']:.2f} s (limit {TIME_LIMIT_S:.0f} s)")
    print(
        f"max RSS: +{plain['rss_delta_mb']:.1f} MB while parsing, "
        f"{plain['rss_peak_mb']:.1f} MB for the whole process"
    )
    print(
        f"tracemalloc peak: {traced['traced_peak_mb']:.1f} MB "
        f"(traced run took {traced['seconds']:.2f} s)"
    )
    memory_mb = max(plain["rss_peak_mb"], traced["traced_peak_mb"])
    met = plain["seconds"] < TIME_LIMIT_S and memory_mb < MEMORY_LIMIT_MB
    print(f"L4 (< {TIME_LIMIT_S:.0f} s, < {MEMORY_LIMIT_MB:.0f} MB): {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
