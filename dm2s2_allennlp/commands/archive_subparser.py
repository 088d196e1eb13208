"""The argument shape shared by the commands that read a data file through a trained archive."""
import argparse


def add_archive_subparser(parser: argparse._SubParsersAction, name: str, description: str) -> argparse.ArgumentParser:
    """``NAME ARCHIVE DATA -o OUT [--cuda-device N]``; DATA is read with the archive's own dataset reader."""
    subparser = parser.add_parser(name, description=description, help=description)
    subparser.add_argument("archive_file", help="a model.tar.gz")
    subparser.add_argument("data_file", help="data in the archive reader's format")
    subparser.add_argument("-o", "--output-dir", required=True)
    subparser.add_argument("--cuda-device", type=int, default=-1)
    return subparser
