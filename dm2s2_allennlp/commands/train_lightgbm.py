"""``allennlp train-lightgbm CONFIG -s OUT``: the LightGBM baseline of DM2S2 Table 4 on the data of any experiment
config (its dataset reader, train / validation / test paths, the model's ``head``), writing ``OUT/metrics.json`` with the same metric names as ``allennlp train`` does, so
``allennlp results-table ... --relative-to LightGBM`` can report every model relative to it, as Table 4 does.
See ``gbm.baseline`` for the pipeline, ``gbm.features`` and ``gbm.boosting`` for the features and the boosting. Also reachable as ``dm2s2 train-lightgbm``.
"""
import argparse
import os
import shutil

from allennlp.commands.subcommand import Subcommand


@Subcommand.register("train-lightgbm")
class TrainLightGBM(Subcommand):
    def add_subparser(self, parser: argparse._SubParsersAction) -> argparse.ArgumentParser:
        description = "Train the LightGBM baseline (hashed words + numeric fields) on an experiment config's data."
        subparser = parser.add_parser(self.name, description=description, help=description)
        subparser.add_argument("param_path", help="an experiment config (its reader and data paths are used)")
        subparser.add_argument("-s", "--serialization-dir", required=True)
        subparser.add_argument("-o", "--overrides", default="", help="a JSON(NET) string of overrides")
        subparser.add_argument("--seed", type=int, default=None, help="default: the config's random_seed")
        subparser.add_argument("--n-features", type=int, default=4096, help="hash buckets per text modality")
        subparser.add_argument("--rounds", type=int, default=1000, help="at most this many boosting rounds")
        subparser.add_argument("--early-stopping-rounds", type=int, default=50)
        subparser.add_argument("-f", "--force", action="store_true", help="overwrite OUT")
        subparser.set_defaults(func=self.run)
        return subparser

    @staticmethod
    def run(args: argparse.Namespace) -> None:
        from dm2s2_allennlp.gbm.baseline import train_lightgbm
        from dm2s2_allennlp.training.settled_train import load_params

        if os.path.exists(os.path.join(args.serialization_dir, "metrics.json")):
            if not args.force:
                raise SystemExit(f"{args.serialization_dir} already holds a finished run; use --force to overwrite")
            shutil.rmtree(args.serialization_dir)
        params = load_params(args.param_path, args.overrides)
        metrics = train_lightgbm(params, args.serialization_dir, args.seed, args.n_features, args.rounds,
                                 args.early_stopping_rounds)
        for name, value in metrics.items():
            if name.startswith(("best_validation_", "test_")):
                print(f"{name}: {value:.4f}")
