"""Your own data for the MLP playground: a CSV file (or pasted rows) with columns x1, x2, label.

``read_table(text_or_bytes)`` checks every row and gives a ``Table``: the points rescaled to the
plane (each axis from its smallest to its largest value onto −5…5, shown to the visitor), the
labels as classes 0…k−1 (in the labels' own order: numbers by value, text alphabetically), and
what is needed to write the data back in its own units (``to_csv``). A bad file gets a
``UserInputError`` that names the row and the problem.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

import numpy as np

from playground.errors import UserInputError
from playground.perceptron.datasets import MAX_CLASSES, MIN_CLASSES

MAX_ROWS = 5000
MIN_ROWS = 4
MAX_BYTES = 2_000_000
PLANE_RANGE = 5.0  # each axis is rescaled onto [−PLANE_RANGE, PLANE_RANGE] (the plane shows ±6)
COLUMNS = ("x1", "x2", "label")


@dataclass(frozen=True)
class Table:
    points: tuple[tuple[float, float, int], ...]  # (x1, x2, class) on the plane
    class_names: tuple[str, ...]  # class i's label in the file
    ranges: tuple[tuple[float, float], tuple[float, float]]  # each column's (smallest, largest) in the file
    source: str = "pasted rows"  # the file's name, or "pasted rows"

    def scale_text(self) -> str:
        """How the file's numbers map onto the plane, for the page."""
        parts = []
        for name, (low, high) in zip(("x₁", "x₂"), self.ranges):
            if high > low:
                parts.append(f"{name}: {low:g} … {high:g} → −{PLANE_RANGE:g} … {PLANE_RANGE:g}")
            else:
                parts.append(f"{name}: always {low:g} → 0")
        classes = ", ".join(f"{name} → class {i}" for i, name in enumerate(self.class_names))
        return f"{len(self.points)} rows from {self.source}; {'; '.join(parts)}; {classes}"

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(n, 2) float32 plane points and (n,) int64 classes."""
        rows = np.asarray(self.points, dtype=np.float64).reshape(-1, 3)
        return rows[:, :2].astype(np.float32), rows[:, 2].astype(np.int64)

    def to_file_units(self, points: np.ndarray) -> np.ndarray:
        """Plane points (n, 2) → the file's own units (the inverse of the rescaling)."""
        out = np.empty_like(points, dtype=np.float64)
        for axis, (low, high) in enumerate(self.ranges):
            half = (high - low) / 2
            out[:, axis] = (low + high) / 2 + (points[:, axis] / PLANE_RANGE * half if half > 0 else 0.0)
        return out


def read_table(content: str | bytes, source: str = "pasted rows") -> Table:
    """The checked table in ``content`` (the text of a CSV file, or its bytes)."""
    text = _as_text(content, source)
    rows = [(number, row) for number, row in enumerate(_rows(text), 1)
            if row and any(cell.strip() for cell in row) and not row[0].strip().startswith("#")]
    if not rows:
        raise UserInputError(f"{source} is empty: give one row per point, x1, x2, label (e.g. 0.5, 1.2, cat)")
    columns = _columns(rows[0][1])
    if columns is None:  # no header: x1, x2, label are the first three columns
        columns = (0, 1, 2)
    else:
        rows = rows[1:]
    if len(rows) < MIN_ROWS:
        raise UserInputError(f"{source} has {len(rows)} data row(s): at least {MIN_ROWS} points are needed")
    if len(rows) > MAX_ROWS:
        raise UserInputError(f"{source} has {len(rows):,} data rows: at most {MAX_ROWS:,} (keep a sample)")
    values, labels = [], []
    for number, row in rows:
        if len(row) <= max(columns):
            raise UserInputError(f"row {number} has {len(row)} column(s): each row needs x1, x2 and a label")
        values.append([_number(row[columns[axis]], COLUMNS[axis], number) for axis in (0, 1)])
        label = row[columns[2]].strip()
        if not label:
            raise UserInputError(f"row {number}: the label is empty")
        labels.append(label)
    names = _class_names(labels)
    if not MIN_CLASSES <= len(names) <= MAX_CLASSES:
        shown = ", ".join(names[:8]) + (" …" if len(names) > 8 else "")
        raise UserInputError(f"the label column has {len(names)} class(es) ({shown}): the playground needs "
                             f"{MIN_CLASSES} to {MAX_CLASSES} classes")
    array = np.asarray(values, dtype=np.float64)  # (n, 2)
    ranges = tuple((float(array[:, axis].min()), float(array[:, axis].max())) for axis in (0, 1))
    plane = np.zeros_like(array)
    for axis, (low, high) in enumerate(ranges):
        if high > low:
            plane[:, axis] = (array[:, axis] - (low + high) / 2) / ((high - low) / 2) * PLANE_RANGE
    index = {name: i for i, name in enumerate(names)}
    points = tuple((round(float(a), 4), round(float(b), 4), index[label]) for (a, b), label in zip(plane, labels))
    return Table(points, tuple(names), ranges, source)


def to_csv(points: np.ndarray, labels: np.ndarray, class_names: tuple[str, ...] | None = None) -> str:
    """Rows x1, x2, label (with a header) that ``read_table`` reads back."""
    with io.StringIO() as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for (x1, x2), label in zip(points.tolist(), labels.tolist()):
            writer.writerow([f"{x1:.6g}", f"{x2:.6g}", class_names[label] if class_names else label])
        return out.getvalue()


# ------------------------------------------------------------------ reading, step by step


def _as_text(content: str | bytes, source: str) -> str:
    if isinstance(content, str):
        if len(content) > MAX_BYTES:
            raise UserInputError(f"{source} is {len(content) / 1e6:.1f} MB: at most {MAX_BYTES / 1e6:.0f} MB of text")
        return content
    if len(content) > MAX_BYTES:
        raise UserInputError(f"{source} is {len(content) / 1e6:.1f} MB: at most {MAX_BYTES / 1e6:.0f} MB")
    if b"\x00" in content[:4096]:
        raise UserInputError(f"{source} is not a text file (it looks binary): give a CSV with columns x1, x2, label")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserInputError(f"{source} is not UTF-8 text: save it as a CSV (UTF-8) with columns x1, x2, label") from None


def _rows(text: str) -> list[list[str]]:
    """The file's rows, split on its delimiter (comma, semicolon, tab, or spaces), one per line."""
    first = next((line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")), "")
    delimiter = next((d for d in (",", ";", "\t") if d in first), None)
    lines = text.splitlines()
    if delimiter is None:
        return [line.split() for line in lines]
    return list(csv.reader(lines, delimiter=delimiter))


def _columns(row: list[str]) -> tuple[int, int, int] | None:
    """A header row's positions of x1, x2 and label (by name, else the first three); None if ``row`` is data."""
    try:
        float(row[0])
        return None  # the first cell is a number: data, no header
    except (ValueError, IndexError):
        pass
    names = [cell.strip().lower() for cell in row]
    if all(name in names for name in COLUMNS):
        return tuple(names.index(name) for name in COLUMNS)
    return (0, 1, 2)


def _number(cell: str, column: str, number: int) -> float:
    try:
        value = float(cell.strip())
    except ValueError:
        raise UserInputError(f"row {number}: {column} is {cell.strip()!r}, not a number") from None
    if not math.isfinite(value):
        raise UserInputError(f"row {number}: {column} is {cell.strip()}: every x1 and x2 must be a finite number")
    return value


def _class_names(labels: list[str]) -> list[str]:
    """The distinct labels in order: by value when they are all numbers, else alphabetically."""
    distinct = set(labels)
    try:
        return sorted(distinct, key=float)
    except ValueError:
        return sorted(distinct)
