"""The ``nnscratch`` command (experiments arrive with the training issue)."""
import argparse
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="nnscratch", description=__doc__)
    parser.parse_args(argv)
    print("nnscratch: experiments are not available yet")
    return 0


if __name__ == "__main__":
    sys.exit(main())
