"""Command line (to be written)."""


def main(argv=None):
    raise SystemExit("gradnote: the command line is not written yet")
