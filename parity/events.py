"""Reads an engram run's TensorBoard event files with TensorBoard's own event reader and checks
that they hold the values of its metrics.csv (and trace-stats.csv when the memory monitor ran),
one step per epoch, plus the trace heat map image.

Usage: python parity/events.py RUN_DIR  (not tensorboard.py: that name would shadow the package)
"""
import csv
import math
import pathlib
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

# metrics.csv column -> (event tag, absolute tolerance, relative tolerance). The CSV rounds to 6
# decimals (6 significant digits for the rate, 2 decimals for seconds); events hold float32.
METRICS = {
    "train_loss": ("loss", 2e-6, 1e-6),
    "train_accuracy": ("accuracy", 2e-6, 1e-6),
    "val_loss": ("val_loss", 2e-6, 1e-6),
    "val_accuracy": ("val_accuracy", 2e-6, 1e-6),
    "learning_rate": ("learning_rate", 0, 1e-5),
    "epoch_seconds": ("seconds", 0.006, 1e-6),
}
TRACE = {
    "mean_abs": "trace/mean_abs",
    "max": "trace/max",
    "min": "trace/min",
    "std": "trace/std",
    "near_zero_fraction": "trace/near_zero_fraction",
}


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def check(events, tag, epoch, expected, abs_tol, rel_tol, problems):
    got = {e.step: e.value for e in events.Scalars(tag)} if tag in events.Tags()["scalars"] else {}
    if epoch not in got:
        problems.append(f"{tag}: no value for epoch {epoch}")
    elif not math.isclose(got[epoch], expected, abs_tol=abs_tol, rel_tol=rel_tol):
        problems.append(f"{tag} epoch {epoch}: event {got[epoch]!r}, csv {expected!r}")


def main(run):
    run = pathlib.Path(run)
    events = EventAccumulator(str(run / "tensorboard"), size_guidance={"scalars": 0, "images": 0})
    events.Reload()
    problems = []
    metrics = rows(run / "metrics.csv")
    for row in metrics:
        epoch = int(row["epoch"])
        for column, (tag, abs_tol, rel_tol) in METRICS.items():
            value = float(row[column])
            if not math.isnan(value):
                check(events, tag, epoch, value, abs_tol, rel_tol, problems)
    checked = len(metrics) * len(METRICS)
    stats = run / "trace-stats.csv"
    if stats.exists():
        for row in rows(stats):
            epoch = int(row["epoch"])
            for column, tag in TRACE.items():
                check(events, tag, epoch, float(row[column]), 1e-6, 1e-5, problems)
                checked += 1
        images = events.Tags()["images"]
        if "trace/heatmap/image" not in images:
            problems.append(f"no trace/heatmap/image image; images: {images}")
        else:
            steps = sorted(i.step for i in events.Images("trace/heatmap/image"))
            if steps != [int(r["epoch"]) for r in rows(stats)]:
                problems.append(f"trace/heatmap steps {steps}")
    if problems:
        print("tensorboard: " + "; ".join(problems))
        sys.exit(1)
    print(f"tensorboard: {checked} values in {run}/tensorboard match metrics.csv"
          + (" and trace-stats.csv, heat map present" if stats.exists() else ""))


if __name__ == "__main__":
    main(sys.argv[1])
