"""Make Tools/train (and, through Tools/eval, Tools/shapesworld) importable from the tests."""

import os
import sys

TRAIN = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, TRAIN)
sys.path.insert(0, os.path.join(os.path.dirname(TRAIN), "eval"))
