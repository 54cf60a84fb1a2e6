"""The seed reports as other converters print them: the same bytes, with each table's tabs
replaced by space-aligned columns (``pdftotext -layout``), by ``| a | b |`` pipes (an HTML
export), or by a markdown export (pipes, markdown escapes and a ``---|---`` rule under the
first row of every table). Used by test_layout_variants to check the templates still read them.
"""
from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Callable
from pathlib import Path

VARIANTS = ("aligned", "pipes", "markdown")


def table_blocks(lines: list[str]) -> list[tuple[int, int]]:
    """(first, last) indexes of every run of consecutive lines that hold a tab."""
    blocks, index = [], 0
    while index < len(lines):
        if "\t" not in lines[index]:
            index += 1
            continue
        end = index
        while end + 1 < len(lines) and "\t" in lines[end + 1]:
            end += 1
        blocks.append((index, end))
        index = end + 1
    return blocks


def aligned(lines: list[str]) -> tuple[list[str], Callable[[int], int]]:
    """Each column of a table padded to its widest cell + 2 spaces (trailing spaces dropped)."""
    out = list(lines)
    for first, last in table_blocks(lines):
        rows = [lines[i].split("\t") for i in range(first, last + 1)]
        widths = [max(len(r[j]) for r in rows if j < len(r)) for j in range(max(map(len, rows)))]
        for offset, row in enumerate(rows):
            out[first + offset] = "".join(cell.ljust(widths[j] + 2) for j, cell in enumerate(row)).rstrip()
    return out, lambda line: line


def _pipe_row(cells: list[str], escape: Callable[[str], str]) -> str:
    return "| " + " | ".join(escape(c) for c in cells) + " |"


def pipes(lines: list[str]) -> tuple[list[str], Callable[[int], int]]:
    """Each table line as ``| a | b |`` (a literal pipe escaped)."""
    out = list(lines)
    for first, last in table_blocks(lines):
        for i in range(first, last + 1):
            out[i] = _pipe_row(lines[i].split("\t"), lambda c: c.replace("|", "\\|"))
    return out, lambda line: line


def markdown(lines: list[str]) -> tuple[list[str], Callable[[int], int]]:
    """Pipes with markdown's escapes, and a ``|---|`` rule inserted under each table's first row."""
    starts = {first for first, _ in table_blocks(lines)}
    out, inserted_before = [], []
    for index, text in enumerate(lines):
        inserted_before.append(len(out) - index)
        if "\t" not in text:
            out.append(text)
            continue
        cells = text.split("\t")
        out.append(_pipe_row(cells, lambda c: re.sub(r"([\\*_|])", r"\\\1", c)))
        if index in starts:
            out.append("|" + "|".join("---" for _ in cells) + "|")
    return out, lambda line: line + inserted_before[line - 1]


BUILDERS = {"aligned": aligned, "pipes": pipes, "markdown": markdown}


def build_variant(raw: Path, target: Path, variant: str) -> dict[str, Callable[[int], int]]:
    """data/raw of ``raw`` rewritten in ``variant`` under ``target`` (manifest hashes updated);
    returns, per source_file, the map from a seed's line number to the variant's."""
    target.mkdir(parents=True, exist_ok=True)
    maps = {}
    with open(raw / "manifest.csv", newline="", encoding="utf-8") as handle:
        entries = list(csv.DictReader(handle))
    for entry in entries:
        text = (raw / entry["file"]).read_bytes().decode("utf-8")
        lines, line_map = BUILDERS[variant](text.split("\n"))
        data = "\n".join(lines).encode("utf-8")
        (target / entry["file"]).write_bytes(data)
        entry["sha256"] = hashlib.sha256(data).hexdigest()
        maps[f"data/raw/{entry['file']}"] = line_map
    with open(target / "manifest.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(entries[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(entries)
    return maps
