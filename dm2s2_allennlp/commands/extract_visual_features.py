"""``allennlp extract-visual-features IMAGES_DIR OUT_DIR --backend local|cloud-vision``: turn every image into a
Cloud-Vision-shaped ``OUT_DIR/<image id>.json`` (OCR text, labels, objects, faces; safe search with the real API),
which the ``mmimdb`` / ``ads_parallelity`` / ``ad_lp`` readers read as modality tokens. Progress bar, ``--workers``,
resume (finished images are skipped), bad images reported and counted. See ``dm2s2_allennlp.vision``. Needs the
``[vision]`` extra (and Debian's tesseract-ocr for local OCR; ``--backend easyocr --easyocr-models DIR`` for EasyOCR's
OCR alone). Also reachable as ``dm2s2 extract-visual-features``.
"""
import argparse
import json
import sys

from allennlp.commands.subcommand import Subcommand


@Subcommand.register("extract-visual-features")
class ExtractVisualFeatures(Subcommand):
    def add_subparser(self, parser: argparse._SubParsersAction) -> argparse.ArgumentParser:
        description = "Extract OCR text, labels, objects and face counts of images as Cloud Vision responses."
        subparser = parser.add_parser(self.name, description=description, help=description)
        subparser.add_argument("images_dir")
        subparser.add_argument("out_dir")
        subparser.add_argument("--backend", choices=("local", "cloud-vision", "easyocr"), default="local")
        subparser.add_argument("--easyocr-models", default=None, help="easyocr: the directory of its model files")
        subparser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
        subparser.add_argument("--no-resume", action="store_true", help="redo images that already have a file")
        subparser.add_argument("--no-progress", action="store_true")
        for part in ("ocr", "faces", "labels", "objects"):
            subparser.add_argument(f"--no-{part}", action="store_true", help=f"switch the {part} extractor off")
        subparser.add_argument("--ocr-languages", default="eng", help="Tesseract languages, e.g. eng+jpn")
        subparser.add_argument("--ocr-min-confidence", type=float, default=60.0, help="drop words below (0-100)")
        subparser.add_argument("--label-top-k", type=int, default=10)
        subparser.add_argument("--label-threshold", type=float, default=0.1, help="min label probability")
        subparser.add_argument("--object-threshold", type=float, default=0.5, help="min object score")
        subparser.set_defaults(func=self.run)
        return subparser

    @staticmethod
    def run(args: argparse.Namespace) -> None:
        from dm2s2_allennlp.vision.extract import extract
        from dm2s2_allennlp.vision.local_backend import MissingDependency

        options = {"ocr": not args.no_ocr, "faces": not args.no_faces, "labels": not args.no_labels,
                   "objects": not args.no_objects}
        if args.backend == "local":
            options.update(ocr_languages=args.ocr_languages, ocr_min_confidence=args.ocr_min_confidence,
                           label_top_k=args.label_top_k, label_threshold=args.label_threshold,
                           object_threshold=args.object_threshold)
        if args.backend == "easyocr":
            options = {"models": args.easyocr_models, "languages": args.ocr_languages.replace("eng", "en").split("+"),
                       "min_confidence": args.ocr_min_confidence / 100.0}
        try:
            summary = extract(args.images_dir, args.out_dir, args.backend, args.workers, not args.no_resume,
                              not args.no_progress, options)
        except (MissingDependency, FileNotFoundError) as error:
            sys.exit(f"extract-visual-features: {error}")
        print(json.dumps({k: v for k, v in summary.items() if k != "failures"}))
        for name, reason in summary["failures"].items():
            print(f"failed: {name}: {reason}", file=sys.stderr)
