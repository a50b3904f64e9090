"""One pass of full extraction over a corpus, after a warm pass, marked for callgrind.

Instruction counts move little with other load on the machine, so two versions of the code can
be compared on a shared machine. The measured pass lies between a call of getppid and one of
getpgrp; callgrind zeroes its counts at the first and writes them at the second:

    valgrind --tool=callgrind --zero-before=getppid --dump-before=getpgrp \\
        --callgrind-out-file=/tmp/cg.out .venv/bin/python benchmarks/instructions.py seeds 0.3
    grep summary /tmp/cg.out.1

Corpora: `seeds` (the seed articles repeated, as throughput.py), `en` and `ar` (english.py's).
The cyclic collector is stopped during the measured pass: where its collections of the large
heap (the compiled packs) fall moved a count by up to 4% between two runs of the same code.
"""
from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from casualties import api  # noqa: E402


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    kind, megabytes = argv[0], float(argv[1])
    if kind == "seeds":
        from throughput import corpus
        texts, lang = corpus(megabytes), "ar"
    else:
        from english import build_corpus
        texts, lang = build_corpus(kind, megabytes), kind
    for text in texts:
        api.extract_text(text, lang=lang)
    gc.collect()
    gc.disable()
    os.getppid()  # callgrind: zero the counts
    for text in texts:
        api.extract_text(text, lang=lang)
    os.getpgrp()  # callgrind: write the counts
    gc.enable()


if __name__ == "__main__":
    main()
