"""The ``ecgnas`` command-line interface."""
