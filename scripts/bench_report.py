#!/usr/bin/env python3
"""Turns scripts/bench's results.tsv (one row per timed run, with the path of its
`/usr/bin/time -v` output) into the figures table and the target ratios, printed and
written as markdown. Kept apart from the shell script so the arithmetic stays readable."""
import argparse
import csv
import datetime
import os
import platform
import re
import statistics
import sys

TARGET_DUCKDB = 4.0
TARGET_XMLWALK = 0.70
AIM_CSV_FLOOR = 0.65
TARGET_X12_CSV = 1.0
TARGET_RSS_MIB = 64.0
TARGET_CPU_WALL = 1.7
TARGET_STARTUP_MS = 100.0
CSV_CPU_LINES = 5_000_000


def parse_time_v(path):
    """User, system seconds and peak RSS (KiB) from GNU time -v output."""
    user = system = rss = None
    try:
        text = open(path, encoding="utf-8", errors="replace").read()
    except OSError:
        return None, None, None
    for key, pattern in (("user", r"User time \(seconds\): ([0-9.]+)"),
                         ("sys", r"System time \(seconds\): ([0-9.]+)"),
                         ("rss", r"Maximum resident set size \(kbytes\): ([0-9]+)")):
        m = re.search(pattern, text)
        if m:
            value = float(m.group(1))
            if key == "user":
                user = value
            elif key == "sys":
                system = value
            else:
                rss = value
    return user, system, rss


class Run:
    def __init__(self, row):
        self.tool = row["tool"]
        self.format = row["format"]
        self.lines = int(row["lines"])
        self.bytes = int(row["bytes"])
        self.wall = float(row["wall"])
        self.rc = int(row["rc"])
        self.batch = row["batch"]
        user, system, rss = parse_time_v(row["timefile"])
        self.cpu = (user or 0.0) + (system or 0.0)
        self.rss_mib = rss / 1024.0 if rss is not None else float("nan")

    @property
    def lines_per_s(self):
        return self.lines / self.wall if self.wall > 0 else float("nan")

    @property
    def mb_per_s(self):
        return self.bytes / 1e6 / self.wall if self.wall > 0 else float("nan")

    @property
    def cpu_per_wall(self):
        return self.cpu / self.wall if self.wall > 0 else float("nan")


def median_run(runs):
    """The run with the median wall time (the lower middle one for an even count)."""
    ordered = sorted(runs, key=lambda r: r.wall)
    return ordered[(len(ordered) - 1) // 2]


def fmt_int(x):
    return f"{x:,.0f}"


def fmt(x, digits=2):
    return "n/a" if x != x else f"{x:.{digits}f}"


def human_lines(n):
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def md_table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("markdown")
    ap.add_argument("--commit", default="?")
    ap.add_argument("--seed", default="?")
    ap.add_argument("--repeat", default="1")
    ap.add_argument("--jobs", default=None)
    ap.add_argument("--load", default=None)
    args = ap.parse_args()

    with open(args.results, newline="") as f:
        runs = [Run(row) for row in csv.DictReader(f, delimiter="\t")]

    groups = {}
    for r in runs:
        groups.setdefault((r.tool, r.format, r.lines), []).append(r)
    med = {k: median_run(v) for k, v in groups.items()}

    order = {"csv": 0, "xml": 1, "x12": 2, "folder": 3}
    tool_order = {"claimscrub": 0, "claimscrub-csv": 1, "claimscrub-onefile": 1, "duckdb": 1, "xmlwalk": 2,
                  "csvfloor": 3, "countlines": 4}
    batch_keys = sorted({(fmt_, n) for (_, fmt_, n) in med if fmt_ in order},
                        key=lambda k: (order[k[0]], k[1]))

    figure_rows = []
    for fmt_, n in batch_keys:
        tools = sorted((t for (t, f_, n_) in med if f_ == fmt_ and n_ == n),
                       key=lambda t: tool_order.get(t, 9))
        for t in tools:
            r = med[(t, fmt_, n)]
            status = "" if r.rc in (0, 65) else f" (exit {r.rc})"
            figure_rows.append([fmt_.upper(), human_lines(n), fmt(r.bytes / 1e6, 1), t + status,
                                fmt(r.wall, 3), fmt_int(r.lines_per_s), fmt(r.mb_per_s, 1),
                                fmt(r.rss_mib, 1), fmt(r.cpu_per_wall)])

    checks = []

    def check(name, value, target, ok, shown=None):
        checks.append([name, shown if shown is not None else fmt(value),
                       target, "n/a" if value != value else ("met" if ok else "MISSED")])

    for fmt_, n in batch_keys:
        c = med.get(("claimscrub", fmt_, n))
        if c is None:
            continue
        label = f"{fmt_.upper()} {human_lines(n)}"
        if fmt_ == "csv":
            d = med.get(("duckdb", fmt_, n))
            if d is not None:
                v = c.lines_per_s / d.lines_per_s
                check(f"{label}: claimscrub lines/s / DuckDB lines/s", v, f">= {TARGET_DUCKDB:g}",
                      v >= TARGET_DUCKDB)
            p = med.get(("csvfloor", fmt_, n))
            if p is not None:
                v = c.lines_per_s / p.lines_per_s
                check(f"{label}: claimscrub lines/s / C parse-and-write floor lines/s", v,
                      f">= {AIM_CSV_FLOOR:g} (aim)", v >= AIM_CSV_FLOOR)
        if fmt_ == "xml":
            w = med.get(("xmlwalk", fmt_, n))
            if w is not None:
                v = c.mb_per_s / w.mb_per_s
                check(f"{label}: claimscrub MB/s / xmlwalk MB/s", v, f">= {TARGET_XMLWALK:g}",
                      v >= TARGET_XMLWALK)
        if fmt_ == "x12":
            # The CSV runs made alternately with the X12 ones; else the CSV section's.
            s = med.get(("claimscrub-csv", "x12", n))
            paired = s is not None
            s = s or med.get(("claimscrub", "csv", n))
            if s is not None:
                v = c.lines_per_s / s.lines_per_s
                pairs = len(groups[("claimscrub-csv", "x12", n)]) if paired else 0
                how = f", {pairs} runs each, alternately" if paired else ""
                check(f"{label}: X12 lines/s / CSV lines/s (same {human_lines(n)} lines{how})", v,
                      f">= {TARGET_X12_CSV:g}", v >= TARGET_X12_CSV)
        if fmt_ == "folder":
            # Five files against one file of as many lines, run alternately with them.
            one = med.get(("claimscrub-onefile", "folder", n))
            if one is not None:
                checks.append([f"{label}: five files' lines/s / one file's of as many lines (run alternately)",
                               fmt(c.lines_per_s / one.lines_per_s), "informative", "-"])
        floor = med.get(("countlines", fmt_, n))
        if floor is not None:
            v = c.mb_per_s / floor.mb_per_s
            checks.append([f"{label}: claimscrub MB/s / memchr floor MB/s", fmt(v, 3),
                           "informative", "-"])
        check(f"{label}: claimscrub peak RSS MiB", c.rss_mib, f"< {TARGET_RSS_MIB:g}",
              c.rss_mib < TARGET_RSS_MIB, fmt(c.rss_mib, 1))

    csv_sizes = [n for (f_, n) in batch_keys if f_ == "csv" and ("claimscrub", "csv", n) in med]
    if csv_sizes:
        n = CSV_CPU_LINES if CSV_CPU_LINES in csv_sizes else max(csv_sizes)
        c = med[("claimscrub", "csv", n)]
        note = "" if n == CSV_CPU_LINES else " (no 5M batch this run: largest CSV)"
        check(f"CSV {human_lines(n)}: claimscrub CPU/wall{note}", c.cpu_per_wall,
              f">= {TARGET_CPU_WALL:g}", c.cpu_per_wall >= TARGET_CPU_WALL)

    for tool, label in (("startup-explain", "start-up: `claimscrub explain`, median ms"),
                        ("startup-run", "start-up: one-line batch `run`, median ms")):
        rs = groups.get((tool, "-", 1))
        if rs:
            ms = statistics.median(r.wall for r in rs) * 1000
            check(f"{label} ({len(rs)} runs)", ms, f"< {TARGET_STARTUP_MS:g}", ms < TARGET_STARTUP_MS,
                  fmt(ms, 1))

    cpu_model = "?"
    try:
        for ln in open("/proc/cpuinfo"):
            if ln.startswith("model name"):
                cpu_model = ln.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    when = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    jobs = f", claimscrub --jobs {args.jobs}" if args.jobs else ""
    head = (f"Measured {when} by `scripts/bench` at commit {args.commit}; seed {args.seed}, "
            f"median of {args.repeat} run(s) per figure{jobs}; {os.cpu_count()} CPUs ({cpu_model}), "
            f"{platform.system()} {platform.release()}"
            + (f"; load average (1/5/15 min) before -> after: {args.load}" if args.load else "")
            + ". Other work on the machine skews these figures; compare ratios from one run. MB = 10^6 bytes of input; lines = service "
            f"lines; wall from the shell clock, CPU and peak RSS from `/usr/bin/time -v`. "
            f"References: `countlines` (memchr newline count, 1 MiB reads), `csvfloor` "
            f"(C: split the CSV, write 12-column rows, no rules), `xmlwalk` "
            f"(libxml2 xmlTextReader visiting every node, run alternately with claimscrub's XML "
            f"runs), `duckdb` (the frozen reference-bench SQL, 2 threads); under X12, "
            f"`claimscrub-csv` is claimscrub on the same claims as CSV, run alternately with the "
            f"X12 runs for the X12 ratio; under FOLDER (five links to the first CSV batch), "
            f"`claimscrub-onefile` is claimscrub on one CSV file of as many lines, run alternately.")
    figures = md_table(["format", "lines", "MB", "tool", "wall s", "lines/s", "MB/s",
                        "peak RSS MiB", "CPU/wall"], figure_rows)
    targets = md_table(["ratio / figure", "measured", "target", ""], checks)
    text = f"# claimscrub benchmark\n\n{head}\n\n## Figures\n\n{figures}\n\n## Targets\n\n{targets}\n"
    tmp = args.markdown + ".partial"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, args.markdown)
    sys.stdout.write(text)
    sys.stdout.write(f"\n(written to {args.markdown})\n")


if __name__ == "__main__":
    main()
