"""The frozen program's entry point: the ``cunfang`` console script (desktop app, CLI, ``--self-test``)."""

from ui.entry import main

if __name__ == "__main__":
    main()
