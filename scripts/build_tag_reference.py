"""Build models/tagger/, the tag model's reference set, from the labelled libraries.

Each library under `--libraries` is indexed as `enablement eval --libraries` indexes it (the
served encoder, embeddings from the cache), and each of its assets is written with its words,
its tags and its vector (tagging/reference.py). Prints the manifest.

    .venv/bin/python scripts/build_tag_reference.py [--libraries DIR] [--out models/tagger]
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from enablement.evaluation import Evaluation
from enablement.service import EnablementService
from enablement.settings import Settings
from enablement.tagging.reference import DEFAULT_FOLDER, write_reference
from enablement.tagging.suggest import documents_from_bundle


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--libraries", type=Path, default=Path("eval/libraries"))
    parser.add_argument("--out", type=Path, default=DEFAULT_FOLDER)
    args = parser.parse_args()
    service = EnablementService(Settings())
    try:
        encoder = service.models.encoder.name
        with Evaluation(service).libraries(args.libraries) as libraries:
            names = [library.name for library in libraries]
            documents = [
                d
                for library in libraries
                for d in documents_from_bundle(library.recommender.bundle)
            ]
    finally:
        service.close()
    manifest = write_reference(
        args.out, documents, encoder=encoder, libraries=names,
        built=datetime.now(UTC).date().isoformat(),
        command=" ".join(["python", *sys.argv]),
    )  # fmt: skip
    print(json.dumps(manifest, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
