"""Make Tools/eval (and, through it, Tools/shapesworld) importable from the tests."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import paths  # noqa: E402,F401
