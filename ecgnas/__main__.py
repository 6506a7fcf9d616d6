"""``python -m ecgnas``: the ``ecgnas`` command, for environments where the script is not on PATH."""

from ecgnas.cli.main import main

raise SystemExit(main())
