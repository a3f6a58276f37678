"""Run many mutated files through `check` and `show --estimate` and count what goes wrong.

    python scripts/fuzz.py [COUNT] [SEED]

Prints the number of files, of runs that ended in an internal error (a
traceback, or exit 1), and of error messages without a file:line:col, with
a few examples of each kind. The fuzz test in the suite runs the same
mutator over fewer files.
"""

from __future__ import annotations

import collections
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fuzzing import corpus, verdict  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from voicecoach.cli import app  # noqa: E402


def main() -> None:
    if any(a in ("-h", "--help") for a in sys.argv[1:]):
        print(__doc__.strip())
        return
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 8500
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    runner = CliRunner()
    problems: collections.Counter[str] = collections.Counter()
    examples: dict[str, str] = {}
    bad_files = crashed_files = 0
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as folder:
        for name, data in corpus(count, seed):
            path = Path(folder) / name
            path.write_bytes(data)
            bad = crashed = False
            for args in (["check", "--estimate", str(path)], ["show", "--estimate", str(path)]):
                result = runner.invoke(app, args)
                found = verdict(str(path), result.exit_code, result.stderr, result.exception)
                if found:
                    bad = True
                    kind = found.split(":")[0]
                    crashed |= " " not in kind or kind.startswith(("exit", "a traceback"))
                    problems[kind] += 1
                    examples.setdefault(kind, f"{name} ({args[0]}): {found}")
            bad_files += bad
            crashed_files += crashed
            path.unlink()
    seconds = time.monotonic() - started
    print(
        f"{count} files, {bad_files} with a problem, {crashed_files} of them an internal "
        f"error (a traceback or exit 1), {seconds:.0f} s"
    )
    for kind, n in problems.most_common():
        print(f"  {n:6}  {kind}")
        print(f"          e.g. {examples[kind][:300]}")


if __name__ == "__main__":
    main()
